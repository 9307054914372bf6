/*
 * FILE: test/libc/families.c
 * DESCRIPTION:
 *   A library-style test of the image libc, one function per family,
 *   each printing "libc: <family> ok" or a "libc: FAIL" line per wrong
 *   value and returning its number of failures.  Built as library `lib`,
 *   which the configurations put in a compartment of its own (pku.yaml:
 *   intel-pku; none.yaml: none), so that it runs on its own copy of the
 *   libc (test/libc/CMakeLists.txt).
 * License: MIT (see LICENSE)
 */
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <flexos/runtime.h>

#include "families.h"

static int failures;

static void check_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want)) {
		printf("libc: FAIL %s: got \"%s\", want \"%s\"\n", what, got, want);
		failures++;
	}
}

static void check_long(const char *what, long got, long want)
{
	if (got != want) {
		printf("libc: FAIL %s: got %ld, want %ld\n", what, got, want);
		failures++;
	}
}

static void check_near(const char *what, double got, double want)
{
	if (!(fabs(got - want) <= 1e-12 * (fabs(want) > 1 ? fabs(want) : 1))) {
		printf("libc: FAIL %s: got %.17g, want %.17g\n", what, got, want);
		failures++;
	}
}

static int finish(const char *family, int before)
{
	int n = failures - before;
	if (!n)
		printf("libc: %s ok\n", family);
	return n;
}

int libc_stdio(void)
{
	int before = failures;
	char b[128];
	snprintf(b, sizeof b, "%d|%5i|%-4u|%x|%X|%o|%c|%s|%.3s|%%", -42, 7, 3u,
	         0xbeefu, 0xbeefu, 8u, 'z', "str", "abcdef");
	check_str("snprintf integers", b, "-42|    7|3   |beef|BEEF|10|z|str|abc|%");
	snprintf(b, sizeof b, "%lld|%llu|%zu|%ld|%08.3f|%+d", -9000000000LL,
	         18446744073709551615ULL, (size_t)12, -1L, 3.14159, 5);
	check_str("snprintf long", b,
	          "-9000000000|18446744073709551615|12|-1|0003.142|+5");
	snprintf(b, sizeof b, "%e|%g|%g|%.10g|%a|%G", 12345.678, 0.0001, 1e20,
	         1.0 / 3, 1.0, 1e-10);
	check_str("snprintf floating", b,
	          "1.234568e+04|0.0001|1e+20|0.3333333333|0x1p+0|1E-10");
	snprintf(b, sizeof b, "%f|%f|%.0f|%5.1f", INFINITY, -0.0, 2.5, 9.96);
	check_str("snprintf special", b, "inf|-0.000000|2| 10.0");
	check_long("snprintf length", snprintf(0, 0, "%s-%d", "abc", 1234), 8);

	int i = 0, n = 0;
	unsigned x = 0;
	double d = 0;
	char w[16] = "", set[16] = "";
	int got = sscanf("  17 0x1f 2.5e3 word abc123 rest", "%d %x %lf %15s %15[a-c]%n",
	                 &i, &x, &d, w, set, &n);
	check_long("sscanf count", got, 5);
	check_long("sscanf %d", i, 17);
	check_long("sscanf %x", (long)x, 31);
	check_near("sscanf %lf", d, 2500.0);
	check_str("sscanf %s", w, "word");
	check_str("sscanf %[", set, "abc");
	check_long("sscanf %n", n, 24);
	return finish("stdio", before);
}

int libc_strtod(void)
{
	int before = failures;
	static const double values[] = {0.1, 1.0 / 3, 6.02214076e23, 5e-324,
	                                1.7976931348623157e308, -2.5, 123456789.125,
	                                2.2250738585072014e-308};
	for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
		char b[64];
		snprintf(b, sizeof b, "%.17g", values[k]);
		double back = strtod(b, 0);
		if (memcmp(&back, &values[k], sizeof back)) {
			printf("libc: FAIL strtod round trip of %s\n", b);
			failures++;
		}
	}
	char *end;
	check_near("strtod hex", strtod("0x1.8p1", &end), 3.0);
	check_str("strtod end", end, "");
	errno = 0;
	strtod("1e999", 0);
	check_long("strtod overflow errno", errno, ERANGE);
	check_long("strtol base 16", strtol("-7fffffff", 0, 16), -0x7fffffffL);
	errno = 0;
	check_long("strtol overflow", strtol("99999999999999999999", 0, 10), LONG_MAX);
	check_long("strtol errno", errno, ERANGE);
	check_long("strtoul base 0", (long)strtoul("0755", 0, 0), 493);
	check_long("atoi", atoi("  -12x"), -12);
	return finish("strtod", before);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int libc_stdlib(void)
{
	int before = failures;
	int v[64];
	unsigned s = 12345;
	for (int k = 0; k < 64; k++) {
		s = s * 1103515245u + 12345u;
		v[k] = (int)(s >> 8) % 1000 - 500;
	}
	qsort(v, 64, sizeof v[0], cmp_int);
	for (int k = 1; k < 64; k++)
		if (v[k - 1] > v[k]) {
			printf("libc: FAIL qsort order at %d\n", k);
			failures++;
			break;
		}
	int key = v[40];
	int *hit = bsearch(&key, v, 64, sizeof v[0], cmp_int);
	check_long("bsearch found", hit && *hit == key, 1);
	key = 10000;
	check_long("bsearch missing", bsearch(&key, v, 64, sizeof v[0], cmp_int) == 0, 1);
	srand(7);
	int r1 = rand(), r2 = rand();
	srand(7);
	check_long("rand repeats", rand() == r1 && rand() == r2, 1);
	check_long("abs/labs", abs(-3) + (long)labs(-4L), 7);
	div_t q = div(17, 5);
	check_long("div", q.quot * 10 + q.rem, 32);
	char *m = malloc(100), *c = calloc(10, 10);
	check_long("malloc/calloc", m && c && c[99] == 0, 1);
	m = realloc(m, 5000);
	check_long("realloc", m != 0, 1);
	free(m);
	free(c);
	void *al[6] = {0};
	for (int k = 0; k < 6; k++) {
		size_t align = (size_t)32 << (k * 2); /* 32 .. 32 KiB */
		if (posix_memalign(&al[k], align, 100 + (size_t)k) || ((uintptr_t)al[k] & (align - 1))) {
			printf("libc: FAIL posix_memalign(%zu)\n", align);
			failures++;
		} else {
			memset(al[k], 0x5a, 100 + (size_t)k);
		}
	}
	void *a4k = aligned_alloc(4096, 8192);
	check_long("aligned_alloc", a4k && !((uintptr_t)a4k & 4095), 1);
	void *bad = 0;
	check_long("posix_memalign EINVAL", posix_memalign(&bad, 24, 8), EINVAL);
	for (int k = 0; k < 6; k++)
		free(al[k]);
	free(a4k);
	char *after = malloc(64 * 1024); /* the freed heads went back */
	check_long("malloc after aligned frees", after != 0, 1);
	free(after);
	check_long("isalpha/isdigit", isalpha('q') && isdigit('7') && !isdigit('x'), 1);
	check_long("toupper", toupper('a'), 'A');
	check_long("isspace", isspace('\t') && !isspace('_'), 1);
	return finish("stdlib", before);
}

int libc_math(void)
{
	int before = failures;
	check_near("sqrt", sqrt(2.0), 1.4142135623730951);
	check_near("sin", sin(1.0), 0.8414709848078965);
	check_near("cos", cos(1.0), 0.5403023058681398);
	check_near("exp", exp(1.0), 2.718281828459045);
	check_near("log", log(10.0), 2.302585092994046);
	check_near("pow", pow(2.0, 0.5), 1.4142135623730951);
	check_near("atan2", atan2(1.0, 1.0), 0.7853981633974483);
	check_near("floor/ceil", floor(-2.5) * 10 + ceil(2.1), -27.0);
	check_near("fmod", fmod(10.0, 3.0), 1.0);
	check_near("ldexp/frexp", ldexp(0.75, 4), 12.0);
	check_long("isnan/isinf", isnan(NAN) && isinf(INFINITY) && !isnan(1.0), 1);
	check_near("sinf", (double)sinf(0.5f), (double)0.47942554f);
	return finish("math", before);
}

static jmp_buf jump;

static void deep(int level)
{
	if (level == 0)
		longjmp(jump, 42);
	deep(level - 1);
}

int libc_setjmp(void)
{
	int before = failures;
	volatile int passes = 0;
	int r = setjmp(jump);
	passes++;
	if (r == 0)
		deep(10);
	check_long("longjmp value", r, 42);
	check_long("setjmp passes", passes, 2);
	return finish("setjmp", before);
}

int libc_string_time(void)
{
	int before = failures;
	char b[64] = "a,b,,c";
	char *save, *t1 = strtok_r(b, ",", &save), *t2 = strtok_r(0, ",", &save),
	            *t3 = strtok_r(0, ",", &save);
	check_str("strtok_r", t3 ? t3 : "(null)", "c");
	check_str("strtok_r first", t1 ? t1 : "(null)", "a");
	check_str("strtok_r second", t2 ? t2 : "(null)", "b");
	char o[16] = "0123456789";
	memmove(o + 2, o, 8);
	check_str("memmove overlap", o, "0101234567");
	check_long("strspn/strcspn", (long)strspn("aaab", "a") * 10 + (long)strcspn("xyz:", ":"), 33);
	check_str("strstr", strstr("haystack", "st"), "stack");
	check_str("strerror", strerror(ENOENT), "No such file or directory");
	struct tm tm;
	time_t epoch = 1700000000;
	gmtime_r(&epoch, &tm);
	strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S %a", &tm);
	check_str("gmtime/strftime", b, "2023-11-14 22:13:20 Tue");
	check_long("mktime inverse", (long)timegm(&tm), 1700000000L);
	check_long("time after 2020", time(0) > 1577836800, 1);
	check_str("setlocale", setlocale(LC_ALL, "C"), "C");
	check_str("decimal point", localeconv()->decimal_point, ".");
	return finish("string-time", before);
}

int libc_files(void)
{
	int before = failures;
	FILE *f = fopen("/tmp/notes.txt", "w+");
	check_long("fopen w+", f != 0, 1);
	if (!f)
		return finish("files", before);
	char filler[41], last[64];
	memset(filler, '=', 40); /* each line: "line K " + 40 bytes + "\n" */
	filler[40] = 0;
	for (int k = 0; k < 100; k++)
		fprintf(f, "line %d %s\n", k, filler);
	check_long("ftell", ftell(f), 10 * 48 + 90 * 49);
	check_long("fflush", fflush(f), 0);
	rewind(f);
	char line[128];
	int lines = 0;
	while (fgets(line, sizeof line, f))
		lines++;
	check_long("reread lines", lines, 100);
	fseek(f, -49, SEEK_END);
	fgets(line, sizeof line, f);
	snprintf(last, sizeof last, "line 99 %s\n", filler);
	check_str("seek to the last line", line, last);
	fclose(f);
	struct stat st;
	check_long("stat size", stat("/tmp/notes.txt", &st) == 0 ? (long)st.st_size : -1, 4890);
	check_long("rename", rename("/tmp/notes.txt", "/tmp/kept.txt"), 0);
	check_long("old name gone", access("/tmp/notes.txt", F_OK) == -1 && errno == ENOENT, 1);
	check_long("unlink", unlink("/tmp/kept.txt"), 0);
	errno = 0;
	check_long("reopen after unlink", fopen("/tmp/kept.txt", "r") == 0 && errno == ENOENT, 1);

	int fd = open("tmp/raw.bin", O_CREAT | O_RDWR | O_EXCL, 0600);
	check_long("open O_EXCL", fd >= 3, 1);
	check_long("pwrite", pwrite(fd, "abc", 3, 1000), 3);
	char z[4] = "?";
	check_long("pread hole", pread(fd, z, 1, 500), 1);
	check_long("hole reads zero", z[0], 0);
	check_long("lseek end", lseek(fd, 0, SEEK_END), 1003);
	check_long("ftruncate", ftruncate(fd, 10) == 0 && lseek(fd, 0, SEEK_END) == 10, 1);
	check_long("O_EXCL again", open("/tmp/raw.bin", O_CREAT | O_EXCL | O_WRONLY, 0600) == -1 && errno == EEXIST, 1);
	close(fd);
	unlink("/tmp/raw.bin");

	/* The packed tree (flexos_add_image ... FILES). */
	f = fopen("/data/hello.txt", "r");
	check_long("packed fopen", f != 0, 1);
	if (f) {
		fgets(line, sizeof line, f);
		check_str("packed first line", line, "packed line one\n");
		fclose(f);
	}
	f = fopen("/data/hello.txt", "a");
	check_long("packed append (copied to RAM)", f && fputs("added\n", f) >= 0 && fclose(f) == 0, 1);
	check_long("packed file grew", stat("/data/hello.txt", &st) == 0 ? (long)st.st_size : -1, 38);
	check_long("write to stdout fd", write(1, "libc: raw write\n", 16), 16);
	check_long("stat dir", stat("/data", &st) == 0 && S_ISDIR(st.st_mode), 1);

	/* Directories list their entries: one file, one implied directory. */
	FILE *a = fopen("/tmp/list/a.txt", "w"), *b = fopen("/tmp/list/sub/b.txt", "w");
	check_long("files for the listing", a && b, 1);
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	DIR *dir = opendir("/tmp/list");
	check_long("opendir", dir != 0, 1);
	int files = 0, dirs = 0, dots = 0;
	struct dirent *e;
	while (dir && (e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			dots++;
		else if (!strcmp(e->d_name, "a.txt") && e->d_type == DT_REG)
			files++;
		else if (!strcmp(e->d_name, "sub") && e->d_type == DT_DIR)
			dirs++;
		else {
			printf("libc: FAIL unexpected entry %s\n", e->d_name);
			failures++;
		}
	}
	check_long("readdir entries", dots * 100 + files * 10 + dirs, 211);
	if (dir) {
		rewinddir(dir);
		int again = 0;
		while (readdir(dir))
			again++;
		check_long("rewinddir", again, 4);
		closedir(dir);
	}
	dir = opendir("/data");
	int packed_seen = 0;
	while (dir && (e = readdir(dir)))
		packed_seen += !strcmp(e->d_name, "hello.txt");
	if (dir)
		closedir(dir);
	check_long("readdir of the packed tree", packed_seen, 1);
	errno = 0;
	check_long("opendir of a file", opendir("/tmp/list/a.txt") == 0 && errno == ENOTDIR, 1);
	unlink("/tmp/list/a.txt");
	unlink("/tmp/list/sub/b.txt");
	return finish("files", before);
}

int libc_errno_is_mine(void)
{
	errno = 77;
	return errno;
}

/* A number, not a pointer: a gate stops a pointer into the library's own
 * memory on its way out (docs/untrusted-values.md). */
uintptr_t libc_stdout_address(void)
{
	return (uintptr_t)stdout;
}

/* A bad write two calls deep: the fault report names both functions and
 * lines, and main's call (test libc-*-fault-report). */
__attribute__((noinline)) static void crash_write(volatile int *p)
{
	*p = 1;
}

__attribute__((noinline)) void libc_crash(int *p)
{
	crash_write(p);
	printf("libc: FAIL the bad write did not stop the image\n");
}

/* A failed assert: musl prints it on stderr and aborts, which panics the
 * image (test libc-pku-assert). */
void libc_assert(int x)
{
	assert(x == 0);
	printf("libc: FAIL assert(%d == 0) passed\n", x);
}

int libc_count_failures(void)
{
	return failures;
}
