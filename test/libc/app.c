/*
 * FILE: test/libc/app.c
 * DESCRIPTION:
 *   The application's side of the image libc test (default compartment).
 *   Runs every family of families.c in the library's compartment, then
 *   checks that the two compartments' libcs are apart: errno set in the
 *   library does not change the application's, and the library's files are
 *   not the application's.  Argument "steal" then reads the library's
 *   stdout structure, part of its libc's state: under intel-pku that must
 *   fault (touched=lib).  Argument "crash" makes the library write to an
 *   unmapped page two calls deep, for the fault report's function and
 *   line names; "assert" makes an assert in the library fail.
 * License: MIT (see LICENSE)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <flexos/runtime.h>

#include "families.h"

int main(int argc, char **argv)
{
	int failed = 0;
	failed += libc_stdio();
	failed += libc_strtod();
	failed += libc_stdlib();
	failed += libc_math();
	failed += libc_setjmp();
	failed += libc_string_time();
	failed += libc_files();

	errno = 5;
	int theirs = libc_errno_is_mine();
	printf("libc: errno here %d, in the library %d\n", errno, theirs);
	if (errno != 5 || theirs != 77)
		failed++;
	FILE *f = fopen("/data/hello.txt", "r");
	char line[64] = "";
	if (!f || !fgets(line, sizeof line, f) || strcmp(line, "packed line one\n")) {
		printf("libc: FAIL the packed file as the application sees it\n");
		failed++;
	}
	if (f)
		fclose(f);
	struct stat st;
	if (stat("/data/hello.txt", &st) || st.st_size != 32) {
		printf("libc: FAIL the library's copy of /data/hello.txt is visible here\n");
		failed++;
	}
	if ((uintptr_t)stdout == libc_stdout_address()) {
		printf("libc: FAIL one stdout for both compartments\n");
		failed++;
	}
	if (argc > 1 && !strcmp(argv[1], "assert")) {
		libc_assert(1);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "crash")) {
		libc_crash((int *)8); /* an unmapped page, in every mechanism */
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "steal")) {
		const volatile char *theirs_stdout =
		    (const volatile char *)libc_stdout_address();
		printf("libc: reading the library's stdout at %p\n", (void *)theirs_stdout);
		printf("libc: stole %d\n", theirs_stdout[0]);
		return 0;
	}
	printf("libc: %s, %d failure(s)\n", failed ? "FAILED" : "all families ok", failed);
	return failed ? 1 : 0;
}
