/* test_proctree.c - the process tree behind the HTML report: processes
 * told apart by start time, parents found (or stood in for), traffic
 * given to the process that owned the socket and summed up the tree, and
 * no loop whatever parents a hostile file claims. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmt_meta.h"
#include "proctree.h"

static struct fmt_reader *reader;
static struct proctree *tree;

/* An empty session whose recording started at boot 100 ns. */
static void setup(void)
{
	char path[64];
	struct fmt_writer *w;

	snprintf(path, sizeof(path), "/tmp/proctree-%d.db", getpid());
	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, NULL, &w, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_writer_set_meta_u64(w, FMT_META_START_NS, 100), 0);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_reader_open(path, &reader, &(char *){ NULL }), 0);
	unlink(path);
	tree = proctree_new(&reader, 1);
	cr_assert_not_null(tree);
}

static void teardown(void)
{
	proctree_free(tree);
	fmt_reader_close(reader);
}

static void add(struct fmt_event ev)
{
	cr_assert_eq(proctree_add(tree, &ev), 0);
}

static void exec(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start, const char *comm,
		 int ret)
{
	static const char *argv[] = { "x", NULL };

	add((struct fmt_event){ .stream = FMT_STREAM_EXEC,
				.exec = { .ts_ns = ts, .pid = pid, .ppid = ppid, .start_ns = start,
					  .comm = comm, .pcomm = "bash", .filename = "/bin/x",
					  .ret = ret, .argc = 1, .argv = argv } });
}

static void exit_(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start)
{
	add((struct fmt_event){ .stream = FMT_STREAM_EXIT,
				.exit = { .ts_ns = ts, .pid = pid, .ppid = ppid, .start_ns = start } });
}

static void table(uint32_t pid, uint32_t ppid, uint64_t start)
{
	add((struct fmt_event){ .stream = FMT_STREAM_PROC,
				.proc = { .ts_ns = 100, .pid = pid, .ppid = ppid, .start_ns = start,
					  .comm = "t", .flags = FMT_PROC_KTHREAD } });
}

static void flow(uint64_t ts, uint32_t pid, uint64_t start, int dir, uint64_t pk)
{
	add((struct fmt_event){ .stream = FMT_STREAM_FLOW,
				.flow = { .ts_ns = ts, .interval_ns = 10, .packets = pk,
					  .bytes = pk * 100, .key = { .dir = (uint8_t)dir },
					  .owner = { .pid = pid, .start_ns = start } } });
}

/* The process of pid that started at start (0: the only one of pid). */
static const struct pt_proc *proc(uint32_t pid, uint64_t start)
{
	uint32_t n;
	const uint32_t *order = proctree_order(tree, &n);
	const struct pt_proc *found = NULL;

	for (uint32_t i = 0; i < n; i++) {
		const struct pt_proc *p = proctree_proc(tree, order[i]);
		if (p->pid == pid && !p->placeholder && (!start || p->start_ns == start)) {
			cr_assert_null(found, "pid %u listed twice", pid);
			found = p;
		}
	}
	cr_assert_not_null(found, "no process %u", pid);
	return found;
}

static uint32_t pid_of(uint32_t id)
{
	return id ? proctree_proc(tree, id)->pid : 0;
}

/* @return 1 if process a's parent is b */
static int parent_is(const struct pt_proc *a, const struct pt_proc *b)
{
	return a->parent && proctree_proc(tree, a->parent) == b;
}

Test(proctree, pid_reuse_makes_two_processes, .init = setup, .fini = teardown)
{
	exec(110, 10, 1, 105, "first", 0);
	exit_(115, 10, 1, 105);
	flow(120, 10, 105, FMT_DIR_EGRESS, 5); /* it sent, then exited in the interval */
	exec(131, 10, 1, 130, "second", 0);
	flow(140, 10, 130, FMT_DIR_INGRESS, 7);
	cr_assert_eq(proctree_finish(tree), 0);
	cr_assert_str_eq(proc(10, 105)->comm, "first");
	cr_assert_eq(proc(10, 105)->sent.packets, 5);
	cr_assert_eq(proc(10, 105)->recv.packets, 0);
	cr_assert(proc(10, 105)->exited);
	cr_assert_str_eq(proc(10, 130)->comm, "second");
	cr_assert_eq(proc(10, 130)->recv.packets, 7);
	cr_assert_eq(proc(10, 130)->recv.bytes, 700);
	cr_assert_eq(proc(10, 130)->origin, PT_DURING);
}

Test(proctree, parents_by_lifetime_and_traffic_summed_up, .init = setup, .fini = teardown)
{
	table(1, 0, 10);
	table(50, 1, 20);
	exec(110, 60, 50, 105, "sh", 0);
	exec(120, 61, 60, 115, "curl", 0);
	flow(130, 61, 115, FMT_DIR_EGRESS, 3);
	flow(130, 60, 105, FMT_DIR_EGRESS, 1);
	flow(130, 0, 0, FMT_DIR_INGRESS, 9);
	cr_assert_eq(proctree_finish(tree), 0);
	cr_assert_eq(pid_of(proc(61, 0)->parent), 60);
	cr_assert_eq(pid_of(proc(60, 0)->parent), 50);
	cr_assert_eq(pid_of(proc(50, 0)->parent), 1);
	cr_assert_eq(proc(1, 0)->parent, 0);
	cr_assert_eq(proc(61, 0)->depth, 3);
	cr_assert_eq(proc(50, 0)->origin, PT_BEFORE);
	cr_assert_eq(proc(60, 0)->tree_sent.packets, 4);
	cr_assert_eq(proc(1, 0)->tree_sent.packets, 4);
	cr_assert_eq(proc(1, 0)->sent.packets, 0);
	cr_assert_eq(proctree_unowned(tree, false).packets, 9);
	cr_assert_eq(proctree_unowned(tree, true).packets, 0);
}

Test(proctree, a_parent_seen_only_through_its_children_stands_in, .init = setup,
     .fini = teardown)
{
	exec(110, 20, 5, 0, "a", 0); /* format 1.0: no start times */
	exec(111, 21, 5, 0, "b", 0);
	exit_(120, 20, 5, 108); /* the exit tells 20's start */
	cr_assert_eq(proctree_finish(tree), 0);
	cr_assert_eq(proc(20, 0)->parent, proc(21, 0)->parent);
	cr_assert(proctree_proc(tree, proc(20, 0)->parent)->placeholder);
	cr_assert_str_eq(proctree_proc(tree, proc(20, 0)->parent)->comm, "bash");
	cr_assert_eq(proc(20, 0)->start_ns, 108);
	cr_assert(proc(20, 0)->exited);
	cr_assert_not(proc(21, 0)->exited);
}

Test(proctree, no_loop_whatever_the_file_claims, .init = setup, .fini = teardown)
{
	uint32_t n;

	table(1, 2, 50); /* each the other's parent, begun at once */
	table(2, 1, 50);
	table(3, 3, 60); /* its own parent */
	exec(110, 4, 5, 90, "x", 0); /* and 5 the child of 4 */
	exec(111, 5, 4, 80, "y", 0);
	cr_assert_eq(proctree_finish(tree), 0);
	proctree_order(tree, &n);
	for (uint32_t pid = 1; pid <= 5; pid++)
		proc(pid, 0); /* each listed once */
	cr_assert_eq(n, 8, "five processes and stand-ins for the parents 1, 3 and 5 claim");
	cr_assert(parent_is(proc(2, 0), proc(1, 0)), "the first listed is the parent");
	cr_assert_not(parent_is(proc(1, 0), proc(2, 0)));
	cr_assert_not(parent_is(proc(3, 0), proc(3, 0)));
	cr_assert(parent_is(proc(4, 0), proc(5, 0)), "the one that began first is the parent");
	cr_assert_not(parent_is(proc(5, 0), proc(4, 0)));
}

Test(proctree, a_fork_is_named_by_what_its_parent_ran_then, .init = setup, .fini = teardown)
{
	exec(110, 30, 1, 105, "sh", 0);
	exec(130, 30, 1, 105, "ls", 0);
	exit_(140, 31, 30, 120); /* forked at 120, while 30 ran sh */
	exec(150, 32, 30, 145, "cc", -2); /* a failed exec names it by its comm */
	cr_assert_eq(proctree_finish(tree), 0);
	cr_assert_str_eq(proc(31, 0)->comm, "sh");
	cr_assert_str_eq(proc(30, 0)->comm, "ls");
	cr_assert_str_eq(proc(32, 0)->comm, "cc");
}
