/*
 * FILE: tools/flexos-scan.c
 * DESCRIPTION:
 *   Image scan for the intel-pku mechanism (ERIM-style).  Reads an ELF64
 *   x86-64 file (executable, kernel image or relocatable object) without
 *   libelf and checks every executable byte, at every byte offset, for the
 *   encodings that can change the protection-key register:
 *     WRPKRU   0f 01 ef
 *     XRSTOR   0f ae /5, memory form (mod != 3); also XRSTOR64 (REX.W)
 *     XRSTORS  0f c7 /3, memory form (mod != 3); also XRSTORS64
 *   and the ones that can move the FS or GS base, which a hosted program's
 *   gates and runtime trust (the TCB at %gs, glibc's TLS at %fs):
 *     WRFSBASE f3 [REX] 0f ae /2, register form (mod == 3)
 *     WRGSBASE f3 [REX] 0f ae /3, register form (mod == 3)
 *   (f3 anywhere in the run of prefix bytes before 0f).
 *   Unaligned occurrences (inside immediates, across instruction and
 *   section boundaries) count: a jump can land on any byte.
 *   Allowed places:
 *     - [__flexos_gates_start, __flexos_gates_end) from the symbol table
 *       (a linked image; the linker script defines both symbols);
 *     - sections named .text.flexos_gates* (relocatable objects: the MPK
 *       gate instances of gates/pku_gate.inc);
 *     - sections named with --allow-section.
 *   --trap-in FUNCTION turns such encodings inside FUNCTION (code that must
 *   never run, such as glibc's lazy-binding trampolines in a static
 *   hosted program) into ud2; int3 and rewrites the file.
 *   Executable bytes are those of SHF_EXECINSTR sections, or of PT_LOAD
 *   segments with PF_X when the file has no section headers.  For a
 *   relocatable object the reported vaddr is the offset in the section.
 *   --list prints each hit as "VADDR KIND START SYMBOL" (START: first
 *   address of the symbol or section holding it) instead of an error
 *   line, for tools/flexos-link-scan.sh, which tells a real instruction
 *   from bytes inside others by disassembling from START.
 *   Exit status: 0 clean, 1 forbidden instruction found, 2 bad input.
 * USAGE:
 *   flexos-scan [--allow-section NAME]... [--trap-in FUNCTION]... [--list]
 *               image.elf [more.elf...]
 *   e.g. build-tools/bin/flexos-scan build/examples/hello/hello.elf
 * License: MIT (see LICENSE)
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GATE_SECTION_PREFIX ".text.flexos_gates"
#define MAX_ALLOWED 64

static const char *prog = "flexos-scan";

/* One run of executable bytes: a section, or a segment without sections. */
struct region {
  const char *name;  /* section name, NULL for a segment */
  uint64_t seg;      /* program header index when name is NULL */
  uint64_t off;      /* file offset of the first byte */
  uint64_t size;     /* bytes present in the file */
  uint64_t vaddr;    /* address of the first byte (0 in a .o) */
  uint32_t shndx;    /* section index, 0 for a segment */
  int allowed;       /* whole region may hold WRPKRU/XRSTOR */
};

/* The file being scanned, read whole into memory. */
struct image {
  const char *path;
  unsigned char *data;
  uint64_t size;
  const Elf64_Ehdr *eh;
  const Elf64_Shdr *sh;  /* NULL when there are no section headers */
  uint64_t shnum;
  const char *shstr;     /* section name table, NULL when absent */
  uint64_t shstr_size;
  const Elf64_Sym *sym;  /* symbol table (SHT_SYMTAB, else SHT_DYNSYM) */
  uint64_t nsym;
  const char *symstr;
  uint64_t symstr_size;
  int has_gates;         /* both range symbols were found */
  uint64_t gates_start, gates_end;
  struct region *reg;
  size_t nreg;
};

static const char *allowed_names[MAX_ALLOWED];
static size_t nallowed;
/* --trap-in: functions that never run in the program (glibc's lazy-binding
 * trampolines in a static flexos executable); their encodings are
 * overwritten with ud2; int3 and the file rewritten. */
static const char *trap_names[MAX_ALLOWED];
static size_t ntrap;
static unsigned long trapped;

/* Prints "flexos-scan: PATH: error: ..." and returns 2 (bad input). */
static int bad(const struct image *im, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: %s: error: ", prog, im->path);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 2;
}

/* True when [off, off+len) lies inside the file (no overflow). */
static int in_file(const struct image *im, uint64_t off, uint64_t len) {
  return off <= im->size && len <= im->size - off;
}

/* Reads the whole file; returns 0, or 2 after printing why not. */
static int load(struct image *im) {
  FILE *f = fopen(im->path, "rb");
  long end;
  if (!f) {
    fprintf(stderr, "%s: %s: error: cannot open: %s; pass the path of a "
            "built ELF image or object\n", prog, im->path, strerror(errno));
    return 2;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return bad(im, "cannot determine the size (not a regular file?)");
  }
  im->size = (uint64_t)end;
  im->data = malloc(im->size ? im->size : 1);
  if (!im->data) {
    fclose(f);
    return bad(im, "out of memory reading %llu bytes",
               (unsigned long long)im->size);
  }
  if (fread(im->data, 1, im->size, f) != im->size) {
    fclose(f);
    return bad(im, "read error: %s", strerror(errno));
  }
  fclose(f);
  return 0;
}

/* Checks the ELF header: ELF64, little-endian, x86-64. */
static int check_header(struct image *im) {
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im->data;
  if (im->size < EI_NIDENT || memcmp(im->data, ELFMAG, SELFMAG) != 0)
    return bad(im, "not an ELF file (no \\177ELF magic); pass the linked "
               "image or a .o file");
  if (im->data[EI_CLASS] != ELFCLASS64)
    return bad(im, "not ELF64 (class %u); flexos images are x86-64 ELF64",
               im->data[EI_CLASS]);
  if (im->size < sizeof(Elf64_Ehdr))
    return bad(im, "truncated: %llu bytes, shorter than an ELF64 header",
               (unsigned long long)im->size);
  if (im->data[EI_DATA] != ELFDATA2LSB)
    return bad(im, "not little-endian; flexos-scan knows only x86-64");
  if (eh->e_machine != EM_X86_64)
    return bad(im, "machine %u is not x86-64; the WRPKRU/XRSTOR encodings "
               "checked here are x86 ones", eh->e_machine);
  im->eh = eh;
  return 0;
}

/* Finds the section headers and the section name table.  Handles the
 * extended numbering (e_shnum == 0, e_shstrndx == SHN_XINDEX). */
static int load_sections(struct image *im) {
  const Elf64_Ehdr *eh = im->eh;
  uint64_t shnum = eh->e_shnum, strndx = eh->e_shstrndx;
  if (eh->e_shoff == 0)
    return 0;
  if (eh->e_shentsize != sizeof(Elf64_Shdr))
    return bad(im, "section header size %u, expected %zu",
               eh->e_shentsize, sizeof(Elf64_Shdr));
  if (!in_file(im, eh->e_shoff, sizeof(Elf64_Shdr)))
    return bad(im, "truncated: section headers at 0x%llx lie past the end "
               "of the file (%llu bytes)", (unsigned long long)eh->e_shoff,
               (unsigned long long)im->size);
  im->sh = (const Elf64_Shdr *)(im->data + eh->e_shoff);
  if (shnum == 0)
    shnum = im->sh[0].sh_size;
  if (strndx == SHN_XINDEX)
    strndx = im->sh[0].sh_link;
  if (shnum > im->size / sizeof(Elf64_Shdr) ||
      !in_file(im, eh->e_shoff, shnum * sizeof(Elf64_Shdr)))
    return bad(im, "truncated: %llu section headers at 0x%llx do not fit "
               "in the file", (unsigned long long)shnum,
               (unsigned long long)eh->e_shoff);
  im->shnum = shnum;
  if (strndx != SHN_UNDEF && strndx < shnum) {
    const Elf64_Shdr *s = &im->sh[strndx];
    if (!in_file(im, s->sh_offset, s->sh_size))
      return bad(im, "truncated: section name table lies past the end");
    im->shstr = (const char *)im->data + s->sh_offset;
    im->shstr_size = s->sh_size;
  }
  return 0;
}

/* Name of section i, or "?" when it has none that is well formed. */
static const char *section_name(const struct image *im, uint64_t i) {
  uint32_t n;
  if (!im->shstr || i >= im->shnum)
    return "?";
  n = im->sh[i].sh_name;
  if (n >= im->shstr_size || !memchr(im->shstr + n, 0, im->shstr_size - n))
    return "?";
  return im->shstr + n;
}

/* Name of symbol i, or "" when the string is out of bounds. */
static const char *symbol_name(const struct image *im, uint64_t i) {
  uint32_t n = im->sym[i].st_name;
  if (!im->symstr || n >= im->symstr_size ||
      !memchr(im->symstr + n, 0, im->symstr_size - n))
    return "";
  return im->symstr + n;
}

/* Loads the symbol table (SHT_SYMTAB preferred) and finds the gate range
 * symbols.  A file without symbols is fine: it just has no gate range. */
static int load_symbols(struct image *im) {
  const Elf64_Shdr *tab = NULL, *str;
  uint64_t i;
  int have_start = 0, have_end = 0;
  for (i = 0; i < im->shnum; i++)
    if (im->sh[i].sh_type == SHT_SYMTAB ||
        (!tab && im->sh[i].sh_type == SHT_DYNSYM))
      tab = &im->sh[i];
  if (!tab)
    return 0;
  if (tab->sh_entsize != sizeof(Elf64_Sym) ||
      !in_file(im, tab->sh_offset, tab->sh_size))
    return bad(im, "malformed or truncated symbol table");
  if (tab->sh_link == 0 || tab->sh_link >= im->shnum)
    return bad(im, "symbol table has no string table (sh_link %u)",
               tab->sh_link);
  str = &im->sh[tab->sh_link];
  if (!in_file(im, str->sh_offset, str->sh_size))
    return bad(im, "truncated: symbol string table lies past the end");
  im->sym = (const Elf64_Sym *)(im->data + tab->sh_offset);
  im->nsym = tab->sh_size / sizeof(Elf64_Sym);
  im->symstr = (const char *)im->data + str->sh_offset;
  im->symstr_size = str->sh_size;
  for (i = 1; i < im->nsym; i++) {
    const char *n = symbol_name(im, i);
    if (im->sym[i].st_shndx == SHN_UNDEF)
      continue;
    if (strcmp(n, "__flexos_gates_start") == 0) {
      im->gates_start = im->sym[i].st_value;
      have_start = 1;
    } else if (strcmp(n, "__flexos_gates_end") == 0) {
      im->gates_end = im->sym[i].st_value;
      have_end = 1;
    }
  }
  if (have_start != have_end)
    return bad(im, "defines __flexos_gates_%s but not __flexos_gates_%s; "
               "the linker script must define both around the gate section",
               have_start ? "start" : "end", have_start ? "end" : "start");
  if (have_start && im->gates_start > im->gates_end)
    return bad(im, "__flexos_gates_start (0x%llx) is above "
               "__flexos_gates_end (0x%llx)",
               (unsigned long long)im->gates_start,
               (unsigned long long)im->gates_end);
  im->has_gates = have_start;
  return 0;
}

/* True when a section of this name may contain WRPKRU/XRSTOR. */
static int name_allowed(const char *name) {
  size_t i;
  if (strncmp(name, GATE_SECTION_PREFIX, strlen(GATE_SECTION_PREFIX)) == 0)
    return 1;
  for (i = 0; i < nallowed; i++)
    if (strcmp(name, allowed_names[i]) == 0)
      return 1;
  return 0;
}

/* Appends one executable region; returns 0 or 2 (out of memory). */
static int add_region(struct image *im, struct region r) {
  struct region *n = realloc(im->reg, (im->nreg + 1) * sizeof(*n));
  if (!n)
    return bad(im, "out of memory");
  im->reg = n;
  im->reg[im->nreg++] = r;
  return 0;
}

/* Collects executable sections, or PF_X segments when there are no
 * section headers or none of the sections is executable. */
static int collect_regions(struct image *im) {
  const Elf64_Ehdr *eh = im->eh;
  uint64_t i;
  int rc;
  if (im->shnum > 0) {
    for (i = 1; i < im->shnum; i++) {
      const Elf64_Shdr *s = &im->sh[i];
      struct region r;
      if (!(s->sh_flags & SHF_EXECINSTR) || s->sh_type == SHT_NOBITS ||
          s->sh_size == 0)
        continue;
      if (!in_file(im, s->sh_offset, s->sh_size))
        return bad(im, "truncated: section %s (0x%llx bytes at 0x%llx) "
                   "lies past the end of the file", section_name(im, i),
                   (unsigned long long)s->sh_size,
                   (unsigned long long)s->sh_offset);
      r.name = section_name(im, i);
      r.seg = 0;
      r.off = s->sh_offset;
      r.size = s->sh_size;
      r.vaddr = s->sh_addr;
      r.shndx = (uint32_t)i;
      r.allowed = name_allowed(r.name);
      if ((rc = add_region(im, r)))
        return rc;
    }
    /* no executable section at all: fall back to the segments, which
     * decide what is mapped executable (a section table can lie) */
    if (im->nreg > 0 || eh->e_type == ET_REL || eh->e_phnum == 0)
      return 0;
  }
  if (eh->e_phoff == 0 || eh->e_phnum == 0)
    return bad(im, "has neither section headers nor program headers; "
               "nothing tells which bytes are executable");
  if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
      !in_file(im, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
    return bad(im, "truncated or malformed program headers");
  for (i = 0; i < eh->e_phnum; i++) {
    const Elf64_Phdr *p =
        (const Elf64_Phdr *)(im->data + eh->e_phoff) + i;
    struct region r;
    if (p->p_type != PT_LOAD || !(p->p_flags & PF_X) || p->p_filesz == 0)
      continue;
    if (!in_file(im, p->p_offset, p->p_filesz))
      return bad(im, "truncated: executable segment %llu lies past the end "
                 "of the file", (unsigned long long)i);
    r.name = NULL;
    r.seg = i;
    r.off = p->p_offset;
    r.size = p->p_filesz;
    r.vaddr = p->p_vaddr;
    r.shndx = 0;
    r.allowed = 0;
    if ((rc = add_region(im, r)))
      return rc;
  }
  return 0;
}

static int by_vaddr(const void *a, const void *b) {
  const struct region *x = a, *y = b;
  return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* Fetches up to 3 bytes starting at position pos of region ri.  In a
 * linked file, bytes continue into the next region when it starts right
 * where this one ends (an encoding can straddle two sections).  Returns
 * the number of bytes fetched. */
static int fetch(const struct image *im, size_t ri, uint64_t pos,
                 unsigned char out[3]) {
  int n = 0;
  int linked = im->eh->e_type != ET_REL;
  while (n < 3 && ri < im->nreg) {
    const struct region *r = &im->reg[ri];
    while (n < 3 && pos < r->size)
      out[n++] = im->data[r->off + pos++];
    if (!linked || ri + 1 >= im->nreg ||
        im->reg[ri + 1].vaddr != r->vaddr + r->size)
      break;
    ri++;
    pos = 0;
  }
  return n;
}

/* Names the encoding at b[0..2], or NULL when it is harmless. */
static const char *classify(const unsigned char b[3], int n) {
  if (n < 3 || b[0] != 0x0f)
    return NULL;
  if (b[1] == 0x01 && b[2] == 0xef)
    return "WRPKRU";
  if ((b[2] >> 6) == 3)
    return NULL; /* register forms: LFENCE (0f ae e8+), RDRAND, ... */
  if (b[1] == 0xae && ((b[2] >> 3) & 7) == 5)
    return "XRSTOR";
  if (b[1] == 0xc7 && ((b[2] >> 3) & 7) == 3)
    return "XRSTORS";
  return NULL;
}

/* WRFSBASE/WRGSBASE at pos (b = the bytes from pos), or NULL: 0f ae with
 * a register-form ModRM whose reg field is 2 or 3, and an f3 among the
 * prefix bytes just before it (any mix of legacy prefixes, REX last). */
static const char *base_write(const struct image *im, const struct region *r,
                              uint64_t pos, const unsigned char b[3], int n) {
  if (n < 3 || b[1] != 0xae || (b[2] >> 6) != 3 || ((b[2] >> 3) & 7) < 2 ||
      ((b[2] >> 3) & 7) > 3)
    return NULL;
  uint64_t p = pos;
  if (p > 0 && (im->data[r->off + p - 1] & 0xf0) == 0x40)
    p--; /* REX */
  for (int k = 0; k < 14 && p > 0; k++, p--) {
    unsigned char c = im->data[r->off + p - 1];
    if (c == 0xf3)
      return ((b[2] >> 3) & 7) == 2 ? "WRFSBASE" : "WRGSBASE";
    if (c != 0x26 && c != 0x2e && c != 0x36 && c != 0x3e && c != 0x64 && c != 0x65 &&
        c != 0x66 && c != 0x67 && c != 0xf0 && c != 0xf2)
      break;
  }
  return NULL;
}

/* True when [va, va+3) lies inside the allowed region set: the gate range
 * or an allowed section (possibly continuing into the next region). */
static int allowed_at(const struct image *im, size_t ri, uint64_t pos) {
  const struct region *r = &im->reg[ri];
  uint64_t va = r->vaddr + pos;
  if (im->has_gates && im->eh->e_type != ET_REL && va >= im->gates_start &&
      im->gates_end - va >= 3 && va < im->gates_end)
    return 1;
  if (!r->allowed)
    return 0;
  if (r->size - pos >= 3)
    return 1;
  /* straddles into the next region: that one must be allowed too */
  return ri + 1 < im->nreg && im->reg[ri + 1].allowed;
}

/* The sized symbol containing va (*exact = 1), else the nearest named
 * symbol below it in the same section (*exact = 0); 0 when none. */
static uint64_t find_symbol(const struct image *im, const struct region *r,
                            uint64_t va, int *exact) {
  uint64_t i, best = 0, best_val = 0;
  *exact = 0;
  for (i = 1; i < im->nsym; i++) {
    const Elf64_Sym *s = &im->sym[i];
    unsigned t = ELF64_ST_TYPE(s->st_info);
    const char *n = symbol_name(im, i);
    if (s->st_shndx == SHN_UNDEF || t == STT_SECTION || t == STT_FILE ||
        t == STT_TLS || !*n || s->st_value > va)
      continue;
    /* same section only: absolute symbols are often plain constants */
    if (r->shndx && s->st_shndx != r->shndx)
      continue;
    if (s->st_size && va - s->st_value < s->st_size) {
      if (!*exact || s->st_value > best_val) {
        best = i;
        best_val = s->st_value;
        *exact = 1;
      }
    } else if (!*exact && (!best || s->st_value >= best_val)) {
      best = i;
      best_val = s->st_value;
    }
  }
  return best;
}

/* Writes "in symbol foo+0x12" for the hit into buf when a sized symbol
 * contains the address, else "after symbol foo+0x12" for the nearest
 * named symbol below it in the same section, else "in no symbol". */
static void describe_symbol(const struct image *im, const struct region *r,
                            uint64_t va, char *buf, size_t len) {
  int exact;
  uint64_t best = find_symbol(im, r, va, &exact);
  if (!best)
    snprintf(buf, len, "in no symbol");
  else
    snprintf(buf, len, "%s symbol %s+0x%llx", exact ? "in" : "after",
             symbol_name(im, best),
             (unsigned long long)(va - im->sym[best].st_value));
}

/* --list: one line per hit, "VADDR KIND START SYMBOL", where START is the
 * symbol's (or else the section's) first address: where a disassembler
 * can start decoding to tell a real instruction from bytes inside others
 * (tools/flexos-link-scan.sh). */
static int list_mode;

static void list_hit(const struct image *im, const struct region *r,
                     uint64_t va, const char *what) {
  int exact;
  uint64_t best = find_symbol(im, r, va, &exact);
  uint64_t start = best ? im->sym[best].st_value : r->vaddr;
  printf("0x%llx %s 0x%llx %s\n", (unsigned long long)va, what,
         (unsigned long long)start, best ? symbol_name(im, best) : "-");
}

/* The sized symbol containing va is named in --trap-in: returns its name. */
static const char *trap_symbol(const struct image *im, const struct region *r, uint64_t va) {
  for (uint64_t i = 1; i < im->nsym; i++) {
    const Elf64_Sym *sy = &im->sym[i];
    if (ELF64_ST_TYPE(sy->st_info) != STT_FUNC || !sy->st_size || sy->st_value > va ||
        va - sy->st_value >= sy->st_size || (r->shndx && sy->st_shndx != r->shndx))
      continue;
    for (size_t k = 0; k < ntrap; k++)
      if (!strcmp(symbol_name(im, i), trap_names[k]))
        return trap_names[k];
  }
  return NULL;
}

/* Scans every byte of every region; returns the number of hits. */
static unsigned long scan(const struct image *im, uint64_t *bytes,
                          uint64_t allowed_hits[2]) {
  unsigned long hits = 0;
  size_t ri;
  for (ri = 0; ri < im->nreg; ri++) {
    const struct region *r = &im->reg[ri];
    uint64_t pos;
    *bytes += r->size;
    for (pos = 0; pos < r->size; pos++) {
      unsigned char b[3];
      int n;
      const char *what;
      char sym[256], where[48];
      if (im->data[r->off + pos] != 0x0f)
        continue;
      n = fetch(im, ri, pos, b);
      if (!(what = classify(b, n)) && !(what = base_write(im, r, pos, b, n)))
        continue;
      if (allowed_at(im, ri, pos)) {
        allowed_hits[strstr(what, "BASE") != NULL]++;
        continue;
      }
      describe_symbol(im, r, r->vaddr + pos, sym, sizeof(sym));
      if (ntrap && r->size - pos >= 3 && trap_symbol(im, r, r->vaddr + pos)) {
        printf("%s: trapped %s at vaddr 0x%llx (%s): now ud2; int3\n", im->path, what,
               (unsigned long long)(r->vaddr + pos), sym);
        im->data[r->off + pos + 1] = 0x0b; /* 0f 0b: ud2 */
        im->data[r->off + pos + 2] = 0xcc; /* int3 */
        trapped++;
        continue;
      }
      if (list_mode) {
        list_hit(im, r, r->vaddr + pos, what);
        hits++;
        continue;
      }
      if (!r->name)
        snprintf(where, sizeof(where), "segment PT_LOAD[%llu]",
                 (unsigned long long)r->seg);
      printf("%s: error: %s (%02x %02x %02x) at offset 0x%llx (vaddr "
             "0x%llx, %s%s, %s) outside the gate section\n",
             im->path, what, b[0], b[1], b[2],
             (unsigned long long)(r->off + pos),
             (unsigned long long)(r->vaddr + pos),
             r->name ? "section " : "", r->name ? r->name : where, sym);
      hits++;
    }
  }
  return hits;
}

/* Writes the patched bytes back (a new file renamed over the old one, so
 * that no half-written program is ever left). */
static int rewrite(const struct image *im) {
  char tmp[4096];
  struct stat st;
  if (snprintf(tmp, sizeof tmp, "%s.trap-tmp", im->path) >= (int)sizeof tmp)
    return bad(im, "path too long");
  if (stat(im->path, &st) != 0)
    return bad(im, "cannot stat: %s", strerror(errno));
  FILE *f = fopen(tmp, "wb");
  if (!f)
    return bad(im, "cannot write %s: %s", tmp, strerror(errno));
  int ok = fwrite(im->data, 1, im->size, f) == im->size;
  ok = (fclose(f) == 0) && ok;
  if (!ok || chmod(tmp, st.st_mode & 07777) != 0 || rename(tmp, im->path) != 0) {
    remove(tmp);
    return bad(im, "cannot rewrite the file: %s", strerror(errno));
  }
  return 0;
}

/* Scans one file; returns its exit status (0, 1 or 2). */
static int scan_file(const char *path) {
  struct image im;
  uint64_t bytes = 0, allowed_hits[2] = {0, 0};
  unsigned long hits;
  int rc;
  memset(&im, 0, sizeof(im));
  im.path = path;
  trapped = 0;
  if ((rc = load(&im)) || (rc = check_header(&im)) ||
      (rc = load_sections(&im)) || (rc = load_symbols(&im)) ||
      (rc = collect_regions(&im)))
    goto out;
  if (im.eh->e_type != ET_REL)
    qsort(im.reg, im.nreg, sizeof(*im.reg), by_vaddr);
  hits = scan(&im, &bytes, allowed_hits);
  if (hits) {
    fprintf(stderr, "%s: %lu forbidden instruction encoding(s); only the "
            "gate section may change PKRU or the FS/GS base (see docs/abi.md)\n", path, hits);
    rc = 1;
  } else if (trapped && (rc = rewrite(&im)) != 0) {
    goto out;
  } else {
    printf("%s: ok: %llu executable bytes in %zu %s, %llu WRPKRU/XRSTOR and %llu "
           "WRFSBASE/WRGSBASE encoding(s) all inside gate sections\n", path,
           (unsigned long long)bytes, im.nreg,
           im.nreg && !im.reg[0].name ? "segment(s)" : "section(s)",
           (unsigned long long)allowed_hits[0], (unsigned long long)allowed_hits[1]);
  }
out:
  free(im.reg);
  free(im.data);
  return rc;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: %s [--allow-section NAME]... [--trap-in FUNCTION]... [--list]\n"
          "       image.elf [more.elf...]\n"
          "Scans every executable byte of ELF64 x86-64 files for WRPKRU\n"
          "(0f 01 ef), XRSTOR (0f ae /5), XRSTORS (0f c7 /3), WRFSBASE and\n"
          "WRGSBASE (f3 0f ae /2, /3) outside the\n"
          "flexos gate section: [__flexos_gates_start, __flexos_gates_end),\n"
          "sections named " GATE_SECTION_PREFIX "*, and sections named with\n"
          "--allow-section.  --trap-in FUNCTION overwrites such encodings\n"
          "inside FUNCTION with ud2; int3 and rewrites the file (for code that\n"
          "never runs, e.g. glibc's lazy-binding trampolines in a static\n"
          "program).  --list prints each encoding found as one line,\n"
          "\"VADDR KIND START SYMBOL\" (START: the first address of the symbol\n"
          "or section holding it, SYMBOL - when none), instead of an error\n"
          "message.  Exit status: 0 clean, 1 found, 2 bad input.\n",
          prog);
}

/* Adds a name to a list of at most MAX_ALLOWED; -1 (reported) when full. */
static int add_name(const char **list, size_t *n, const char *name,
                    const char *option) {
  if (*n == MAX_ALLOWED) {
    fprintf(stderr, "%s: error: more than %d %s options\n", prog,
            MAX_ALLOWED, option);
    return -1;
  }
  list[(*n)++] = name;
  return 0;
}

/* Reads the options and leaves the input files in files[0..*nfiles).
 * Returns -1 to continue, else the exit status (--help, --version, a bad
 * option). */
static int parse_options(int argc, char **argv, char **files, int *nfiles) {
  int opts = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!opts || a[0] != '-' || !a[1]) {
      files[(*nfiles)++] = argv[i];
    } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--version")) {
      printf("%s %s\n", prog, FLEXOS_VERSION);
      return 0;
    } else if (!strcmp(a, "--allow-section")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "%s: error: --allow-section needs a section name\n",
                prog);
        return 2;
      }
      if (add_name(allowed_names, &nallowed, argv[++i], "--allow-section") < 0)
        return 2;
    } else if (!strcmp(a, "--list")) {
      list_mode = 1;
    } else if (!strcmp(a, "--trap-in")) {
      if (i + 1 >= argc || ntrap >= MAX_ALLOWED) {
        fprintf(stderr, "%s: error: --trap-in needs a function name (at most %d)\n", prog,
                MAX_ALLOWED);
        return 2;
      }
      trap_names[ntrap++] = argv[++i];
    } else if (!strncmp(a, "--allow-section=", 16)) {
      if (add_name(allowed_names, &nallowed, a + 16, "--allow-section") < 0)
        return 2;
    } else if (!strcmp(a, "--")) {
      opts = 0;
    } else {
      fprintf(stderr, "%s: error: unknown option %s; see %s --help\n", prog,
              a, prog);
      return 2;
    }
  }
  return -1;
}

int main(int argc, char **argv) {
  char **files = calloc((size_t)argc, sizeof(*files));
  int nfiles = 0, worst = 0;
  if (!files) {
    fprintf(stderr, "%s: error: out of memory\n", prog);
    return 2;
  }
  int rc = parse_options(argc, argv, files, &nfiles);
  if (rc >= 0)
    return rc;
  if (!nfiles) {
    fprintf(stderr, "%s: error: no input file; see %s --help\n", prog, prog);
    return 2;
  }
  for (int i = 0; i < nfiles; i++) {
    rc = scan_file(files[i]);
    if (rc > worst)
      worst = rc;
  }
  free(files);
  return worst;
}
