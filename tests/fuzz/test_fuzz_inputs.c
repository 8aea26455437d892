/* test_fuzz_inputs.c - the fuzz targets' code run (without libFuzzer) over
 * their seed corpora and over every input a fuzzer ever crashed on
 * (tests/fuzz/regressions/TARGET/), in the normal and sanitizer builds. A
 * crash found by scripts/fuzz.sh is fixed, and its input saved there. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fuzz_chunk_one(const uint8_t *data, size_t size);
int fuzz_session_one(const uint8_t *data, size_t size);
int fuzz_interfaces_one(const uint8_t *data, size_t size);

static char seeds[128];

static void make_seeds(void)
{
	char cmd[512];

	snprintf(seeds, sizeof(seeds), "/tmp/ebpfrec-seeds-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf %s && %s %s", seeds, MAKE_SEEDS_BIN, seeds);
	cr_assert_eq(system(cmd), 0, "make_seeds failed");
}

static void drop_seeds(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", seeds);
	if (system(cmd)) {
	}
}

/* Feed every file of dir to fn. @return how many. */
static int feed(const char *dir, int (*fn)(const uint8_t *, size_t))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		FILE *f;
		struct stat st;
		uint8_t *buf;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) || !strcmp(e->d_name, "README"))
			continue;
		buf = malloc((size_t)st.st_size + 1);
		f = fopen(path, "rb");
		cr_assert(buf && f);
		cr_assert_eq(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
		fclose(f);
		fn(buf, (size_t)st.st_size);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void run_target(const char *name, int (*fn)(const uint8_t *, size_t), int min_seeds)
{
	char dir[4096];
	int n;

	snprintf(dir, sizeof(dir), "%s/%s", seeds, name);
	n = feed(dir, fn);
	cr_assert_geq(n, min_seeds, "%s: only %d seeds", name, n);
	snprintf(dir, sizeof(dir), "%s/%s", REGRESSIONS_DIR, name);
	feed(dir, fn);
}

Test(fuzz_inputs, chunk, .init = make_seeds, .fini = drop_seeds)
{
	run_target("chunk", fuzz_chunk_one, 10);
}

Test(fuzz_inputs, session, .init = make_seeds, .fini = drop_seeds)
{
	run_target("session", fuzz_session_one, 5);
}

Test(fuzz_inputs, interfaces, .init = make_seeds, .fini = drop_seeds)
{
	run_target("interfaces", fuzz_interfaces_one, 3);
}
