/*
 * FILE: runtime/pku/pku.h
 * DESCRIPTION:
 *   Protection keys (pku.c) as the one-address-space mechanism table
 *   (local.c) uses them: turning the keys on at boot and mapping between
 *   compartments and their PKRU values.  Generic runtime code never
 *   includes this header; it asks runtime/core/mechanism.h.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_RUNTIME_PKU_H
#define FLEXOS_RUNTIME_PKU_H
#include <stdint.h>

void pku_init(void);   /* before paging: PKRU values; CPU check if used */
void pku_enable(void); /* after paging: CR4.PKE when the image uses keys */
uint32_t pku_pkru_of(int compartment);
int pku_compartment_of(uint32_t pkru); /* -1 when no compartment's */
/* Also read by the interrupt gate (gates/interrupt_entry.S); both are
 * read-only after boot. */
extern uint8_t flexos_pku_on;
extern uint32_t flexos_default_pkru;

#endif
