# FILE: libs/lwip/lwip.cmake
# DESCRIPTION:
#   lwIP 2.1.3 as a library of flexos kernel images.  At build time,
#   fetch-lwip.sh puts lwIP's upstream source (from Debian's source
#   package, unpatched) in ${FLEXOS_LWIP_DEPS}/lwip; nothing of it is in
#   the repository.  Sets, for flexos_add_image():
#     FLEXOS_LWIP_LIBRARIES  "LIBRARY lwip <lwIP + port + driver sources>"
#     FLEXOS_LWIP_OPTIONS    include paths (lwIP's, ours, libs/sched's)
#   and the target lwip-source that images depend on.  lwIP's port runs
#   its threads on library sched, so an image lists ${FLEXOS_SCHED_LIBRARIES}
#   too (libs/sched/sched.cmake, included here), and its configuration
#   maps `lwip` and `sched`, each to any compartment.
#   -DFLEXOS_LWIP_TREE=DIR copies an lwIP 2.1.3
#   tree from DIR instead of downloading.  Any number of directories may
#   include this file: the fetch rule is defined once, in the first, and
#   the others reach it through the lwip-source target (Ninja knows the
#   byproducts build-wide).
# USAGE:
#   include(${PROJECT_SOURCE_DIR}/libs/lwip/lwip.cmake)
#   flexos_add_image(net CONFIG net.yaml LIBRARY app app.c
#                    ${FLEXOS_LWIP_LIBRARIES} ${FLEXOS_SCHED_LIBRARIES}
#                    OPTIONS ${FLEXOS_LWIP_OPTIONS})
#   add_dependencies(net lwip-source)
# License: MIT (see LICENSE)
include_guard(DIRECTORY)
include(${CMAKE_CURRENT_LIST_DIR}/../sched/sched.cmake)

set(FLEXOS_LWIP_TREE "" CACHE PATH
    "an lwIP 2.1.3 source tree to copy instead of fetching Debian's package")
set(FLEXOS_LWIP_PORT ${CMAKE_CURRENT_LIST_DIR})
set(FLEXOS_LWIP_DEPS ${CMAKE_BINARY_DIR}/_deps)
set(lwip ${FLEXOS_LWIP_DEPS}/lwip/src)

set(_lwip_rel
  core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c
  core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c
  core/tcp_in.c core/tcp_out.c core/timeouts.c core/udp.c
  core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4_frag.c core/ipv4/ip4.c
  core/ipv4/ip4_addr.c
  api/api_lib.c api/api_msg.c api/err.c api/netbuf.c api/sockets.c
  api/tcpip.c
  netif/ethernet.c)
set(FLEXOS_LWIP_UPSTREAM "")
foreach(f IN LISTS _lwip_rel)
  list(APPEND FLEXOS_LWIP_UPSTREAM ${lwip}/${f})
endforeach()

set(_fetch_args --dest ${FLEXOS_LWIP_DEPS})
if(FLEXOS_LWIP_TREE)
  list(APPEND _fetch_args --from-tree ${FLEXOS_LWIP_TREE})
endif()
# The sources are byproducts, so that image objects may depend on them;
# the stamp alone decides whether the fetch runs again.  One rule per
# build: a second one for the same files would be an error.
get_property(_lwip_rule GLOBAL PROPERTY FLEXOS_LWIP_FETCH_RULE)
if(NOT _lwip_rule)
  set_property(GLOBAL PROPERTY FLEXOS_LWIP_FETCH_RULE ON)
  add_custom_command(OUTPUT ${FLEXOS_LWIP_DEPS}/lwip.stamp
    BYPRODUCTS ${FLEXOS_LWIP_UPSTREAM}
    COMMAND ${FLEXOS_LWIP_PORT}/fetch-lwip.sh ${_fetch_args}
    DEPENDS ${FLEXOS_LWIP_PORT}/fetch-lwip.sh
    COMMENT "lwip: fetching lwIP 2.1.3 (Debian source package; without a "
            "mirror: -DFLEXOS_LWIP_TREE=DIR or -DFLEXOS_NET_IMAGES=OFF)" VERBATIM)
  add_custom_target(lwip-source DEPENDS ${FLEXOS_LWIP_DEPS}/lwip.stamp)
endif()

set(FLEXOS_LWIP_LIBRARIES
  LIBRARY lwip ${FLEXOS_LWIP_UPSTREAM}
    ${FLEXOS_LWIP_PORT}/port/sys_arch.c
    ${FLEXOS_LWIP_PORT}/netif/pci.c
    ${FLEXOS_LWIP_PORT}/netif/virtio_net.c
    ${FLEXOS_LWIP_PORT}/netif/pvnet.c
    ${FLEXOS_LWIP_PORT}/netif/flexos_net.c)
# Our headers (lwipopts.h, arch/) first; lwIP's own after.  Options that
# compile out a socket helper leave it unused in upstream sockets.c.
set(FLEXOS_LWIP_OPTIONS -I${FLEXOS_LWIP_PORT}/include -I${lwip}/include
    ${FLEXOS_SCHED_OPTIONS} -Wno-unused-function)
unset(lwip)
