# FILE: libs/sched/sched.cmake
# DESCRIPTION:
#   The scheduler library `sched` for flexos kernel images.  Sets, for
#   flexos_add_image():
#     FLEXOS_SCHED_LIBRARIES  "LIBRARY sched libs/sched/sched.c"
#     FLEXOS_SCHED_OPTIONS    the include path of <sched.h>
#   An image's configuration lists `sched` in any compartment; every
#   library that includes <sched.h> gates into it (docs/sched.md).
# USAGE:
#   include(${PROJECT_SOURCE_DIR}/libs/sched/sched.cmake)
#   flexos_add_image(img CONFIG img.yaml LIBRARY app app.c
#                    ${FLEXOS_SCHED_LIBRARIES} OPTIONS ${FLEXOS_SCHED_OPTIONS})
# License: MIT (see LICENSE)
include_guard(DIRECTORY)
set(FLEXOS_SCHED_LIBRARIES LIBRARY sched ${CMAKE_CURRENT_LIST_DIR}/sched.c)
set(FLEXOS_SCHED_OPTIONS -I${CMAKE_CURRENT_LIST_DIR})
