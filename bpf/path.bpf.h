/* path.bpf.h - a directory's path as text, from its dentry and mount,
 * without bpf_d_path (which raw tracepoints may not call): the dentry chain
 * is walked up to the root of the task's mount namespace, crossing mount
 * points, one component per bpf_loop step, and the path is written
 * backwards into a per-CPU buffer. For BPF programs only (vmlinux.h). */
#ifndef EBPFREC_PATH_BPF_H
#define EBPFREC_PATH_BPF_H

#define PATH_LEN 4096 /* longer paths keep their last 4 KiB, flagged */
#define NAME_LEN_MAX 255

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[2 * PATH_LEN]); /* the path ends at PATH_LEN; the
					    * second half absorbs a masked read */
} path_buf SEC(".maps");

struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	__u64 pos; /* the path starts at pos in path_buf */
	int cut; /* the path did not fit */
};

static __always_inline struct mount *mount_of(struct vfsmount *vfsmnt)
{
	return (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

static long path_step(__u32 i, struct path_walk *w)
{
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);
	struct dentry *d = w->dentry, *parent;
	struct vfsmount *vfsmnt = w->vfsmnt; /* locals: CO-RE reads start at kernel types */
	struct mount *mnt = mount_of(vfsmnt), *up;
	const unsigned char *name;
	__u64 len, pos = w->pos;

	if (!buf || !d)
		return 1;
	if (d == BPF_CORE_READ(vfsmnt, mnt_root)) { /* a mount's root: go to its mount point */
		up = BPF_CORE_READ(mnt, mnt_parent);
		if (!up || up == mnt)
			return 1; /* the namespace's root */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->vfsmnt = (struct vfsmount *)((char *)up + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (!parent || parent == d)
		return 1;
	len = BPF_CORE_READ(d, d_name.len) & NAME_LEN_MAX;
	name = BPF_CORE_READ(d, d_name.name);
	if (len + 1 > pos) {
		w->cut = 1;
		return 1;
	}
	pos -= len + 1;
	asm volatile("" : "+r"(pos), "+r"(len));
	if (pos >= PATH_LEN || len > NAME_LEN_MAX)
		return 1;
	buf[pos] = '/';
	bpf_probe_read_kernel(buf + pos + 1, len, name);
	w->pos = pos;
	w->dentry = parent;
	return 0;
}

/* Walk p's path into path_buf. @return its start offset in path_buf (the
 * path runs to PATH_LEN, no NUL; PATH_LEN itself means "/"), *cut if the
 * front of the path was cut. */
static __always_inline __u64 path_walk(const struct path *p, int *cut)
{
	struct path_walk w = { .dentry = BPF_CORE_READ(p, dentry), .vfsmnt = BPF_CORE_READ(p, mnt),
			       .pos = PATH_LEN };

	bpf_loop(PATH_LEN / 2, path_step, &w, 0);
	*cut = w.cut;
	return w.pos;
}

/* Copy path p, NUL-terminated, to dst (room for PATH_LEN + 1 bytes).
 * @return its length with the NUL (0 if it could not be read), *cut as for
 * path_walk. */
static __always_inline __u64 path_into(char *dst, const struct path *p, int *cut)
{
	__u32 zero = 0;
	char *buf;
	__u64 pos, len;

	pos = path_walk(p, cut);
	buf = bpf_map_lookup_elem(&path_buf, &zero);
	if (!buf)
		return 0;
	if (pos >= PATH_LEN) { /* the root */
		dst[0] = '/';
		dst[1] = 0;
		return 2;
	}
	len = PATH_LEN - pos;
	asm volatile("" : "+r"(pos), "+r"(len));
	if (pos >= PATH_LEN || len > PATH_LEN)
		return 0;
	if (bpf_probe_read_kernel(dst, len, buf + pos))
		return 0;
	dst[len] = 0;
	return len + 1;
}

/* The current task's working directory, as path_into. */
static __always_inline __u64 cwd_into(char *dst, int *cut)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct path pwd = BPF_CORE_READ(t, fs, pwd);

	return path_into(dst, &pwd, cut);
}

#endif
