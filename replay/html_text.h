/* html_text.h - recorded strings written into the HTML report. A session
 * file comes from strangers and its strings are raw bytes (argv, paths,
 * comms, host names: not necessarily UTF-8), so whatever they hold the page
 * stays valid UTF-8 and holds no markup of theirs: the five HTML specials
 * become entities; control bytes, bytes that are not valid UTF-8 and the
 * code points that hide or reorder text (C1 controls, bidi overrides,
 * zero-width characters, noncharacters) become visible escapes (\n, \xff,
 * \u{202e}). Valid UTF-8 otherwise passes through as it is. */
#ifndef HTML_TEXT_H
#define HTML_TEXT_H

#include <stdint.h>
#include <stdio.h>

/* s as element text: escapes are marked up as <span class="esc"> so a
 * reader tells them from a literal backslash. */
void html_text(FILE *f, const char *s);
/* s inside a double-quoted attribute value: the same escapes, unmarked. */
void html_attr(FILE *f, const char *s);
/* One argument as a shell would need it typed: plain, or in single quotes
 * when it has spaces, shell specials or escapes; an empty argument shows
 * as '' and a blank one (spaces and tabs only) as its quoted spaces, each
 * marked (class "arg empty", "arg blank") so neither vanishes. */
void html_arg(FILE *f, const char *arg);
/* argc arguments separated by spaces. */
void html_argv(FILE *f, uint32_t argc, const char *const *argv);

#endif
