/* errors.c - text for the format library's error codes. */
#include "fmt.h"

const char *fmt_strerror(int err)
{
	switch (err) {
	case FMT_OK:
		return "success";
	case FMT_EIO:
		return "input/output error";
	case FMT_ENOMEM:
		return "out of memory";
	case FMT_EEXIST:
		return "file exists";
	case FMT_ENOTSESSION:
		return "not an ebpfrec session file";
	case FMT_EVERSION:
		return "written by a newer, incompatible format version";
	case FMT_ECORRUPT:
		return "corrupt session file";
	case FMT_ELIMIT:
		return "declared size exceeds a reader limit";
	case FMT_EINVAL:
		return "invalid argument";
	case FMT_EHOSTILE:
		return "unexpected objects in the session schema";
	case FMT_ENOENT:
		return "not found";
	case FMT_EFULL:
		return "disk full";
	case FMT_ESTREAM:
		return "a stream this version does not know";
	default:
		return "unknown error";
	}
}
