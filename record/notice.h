/* notice.h - one-line announcements on stderr that a user must see whether
 * or not stderr is a terminal: fallbacks to another hook, interfaces left
 * out. Errors that stop the recorder are not notices (main.c's die). */
#ifndef REC_NOTICE_H
#define REC_NOTICE_H

/* Print "ebpfrec: <message>\n" on stderr. */
void rec_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
