/* Forced into a compilation with -include (Plugin_forced_include.c). */
#ifndef __FLEXOS_PLUGIN__
#error "__FLEXOS_PLUGIN__ is not defined in a file forced with -include"
#endif
