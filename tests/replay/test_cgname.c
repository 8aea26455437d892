/* test_cgname.c - units, container ids and pod UIDs read off cgroup
 * paths, for each runtime's layout. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "cgname.h"

#define ID "3f4e9b5c2a1d0e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f"
#define UID "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901"
#define UID_ "1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901"

/* arrays, not pointers: parameters are copied into the test's process;
 * "" for none */
struct cg_case {
	char path[200], unit[100], container[70], pod[40];
};

ParameterizedTestParameters(cgname, layouts)
{
	static struct cg_case c[] = {
		{ "/", "", "", "" },
		{ "/system.slice/ssh.service", "ssh.service", "", "" },
		{ "/user.slice/user-1000.slice/session-2.scope", "session-2.scope", "", "" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome.scope",
		  "app-gnome.scope", "", "" },
		{ "/system.slice/docker-" ID ".scope", "docker-" ID ".scope", ID, "" },
		{ "/docker/" ID, "", ID, "" },
		{ "/system.slice/containerd.service/kubepods-besteffort-pod" UID_
		  ".slice:cri-containerd:" ID,
		  "containerd.service", ID, UID },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/cri-containerd-" ID ".scope",
		  "cri-containerd-" ID ".scope", ID, UID },
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", "crio-" ID ".scope",
		  ID, UID },
		{ "/kubepods/burstable/pod" UID "/" ID, "", ID, UID },
		{ "/machine.slice/libpod-" ID ".scope", "libpod-" ID ".scope", ID, "" },
		{ "/system.slice/docker-abc.scope", "docker-abc.scope", "", "" }, /* not an id */
		{ "/docker/" ID "x", "", "", "" },
		{ "/kubepods/burstable/podnot-a-uid/x", "", "", "" },
	};
	return cr_make_param_array(struct cg_case, c, sizeof(c) / sizeof(c[0]));
}

static void check(const char *what, const char *path, const char *got, const char *want)
{
	if (!*want)
		cr_assert_null(got, "%s of %s: got %s, want none", what, path, got);
	else
		cr_assert(got && !strcmp(got, want), "%s of %s: got %s, want %s", what, path,
			  got ? got : "none", want);
}

ParameterizedTest(struct cg_case *c, cgname, layouts)
{
	char buf[256];

	check("unit", c->path, cgname_unit(c->path, buf, sizeof(buf)), c->unit);
	check("container", c->path, cgname_container(c->path, buf, sizeof(buf)), c->container);
	check("pod", c->path, cgname_pod(c->path, buf, sizeof(buf)), c->pod);
}
