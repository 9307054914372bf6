/*
 * FILE: test/zlib/launcher.c
 * DESCRIPTION:
 *   The default compartment of the zlib image: runs zlib's own test
 *   program (test/example.c of Debian's zlib source, unchanged; its main is
 *   renamed at compile time, -Dmain=zlib_example_main) in the zlib
 *   compartment, with an argv in shared memory, and returns its status.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>
#include <string.h>

#include <flexos/runtime.h>

int zlib_example_main(int argc, char **argv);

int main(void)
{
	char **argv = flexos_malloc_shared(2 * sizeof(char *));
	char *name = flexos_malloc_shared(sizeof "example");
	if (!argv || !name) {
		printf("zlib-image: no shared memory\n");
		return 1;
	}
	strcpy(name, "example");
	argv[0] = name;
	argv[1] = NULL;
	printf("zlib-image: running zlib's example in compartment %s\n",
	       flexos_compartment_name(1));
	int status = zlib_example_main(1, argv);
	printf("zlib-image: example returned %d\n", status);
	return status;
}
