/* cmdlines.c - top --by cmdline's count (cmdlines.h).
 *
 * Command lines are about one per exec, so each is joined, hashed and
 * counted once per chunk it appears in: tens of millions of texts of ~50
 * bytes. A chunk has far fewer strings than command lines (~3,000 for
 * ~32,000 here), so each string is looked up once per chunk in a table of
 * words the threads share, and each command line becomes the ids of its
 * words: a key of a few ids (varints: a byte or two each), no text joined
 * or copied.
 *
 * The table shows joined texts, so keys must stand for texts exactly. A
 * text that splits at its spaces into non-empty words, and is shorter than
 * CMDLINE_MAX - 1, is counted as its words' ids, whatever arguments made
 * it ("a b" and "a","b" are one line, as when texts were compared). Any
 * other text (a leading, trailing or double space, as an empty argument
 * makes, or a line as long as the cut) is counted as its text, in a count
 * of its own:
 * no text of that kind splits into words, so the two counts never hold the
 * same line.
 *
 * A table of words pays when words repeat. When they do not (temporary
 * files, numbers in arguments), it grows by a few words a line and each
 * lookup misses the cache; past cmdlines_words_max words every line is
 * counted as its text instead (the spill's way, no table), and at the end
 * the lines counted by ids are added to the text count as text.
 *
 * Most lines' ids take at most AGG_SHORT_MAX bytes: their keys are built
 * in a register from a code per chunk string (short_line), the very word
 * the spill would make of the staged bytes (agg_short_key), and added a
 * group at a time. */
#define _GNU_SOURCE /* memmem */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cmdlines.h"
#include "varint.h"

#define NOT_WORD UINT32_MAX /* a chunk string that is not one word */
#define MAX_WORDS (CMDLINE_MAX / 2) /* in a line: each a byte or more, and a space */
#define GROUP 64 /* lines keyed before they are counted */
#define ID_MAX 5 /* bytes of an id: a varint, most of them one or two */
#define STAGE (2 * ID_MAX * MAX_WORDS) /* a group's ids: room for two of the longest lines */

struct word {
	const unsigned char *s; /* kept by the words table */
	uint32_t len;
};

struct cmdlines {
	pthread_mutex_t lock; /* the words, and the writers' list */
	struct agg words; /* a word to its id + 1, in .count */
	struct word *word; /* by id */
	uint32_t nwords, cap;
	struct agg_spill *ids, *text;
	struct cmdlines_writer *writers;
	int as_text; /* too many words: lines are counted as text from now on */
};

size_t cmdlines_words_max = 1u << 18;

struct cmdlines_writer {
	struct cmdlines_writer *next;
	struct cmdlines *c;
	struct agg_spill_writer *ids, *text;
	/* the chunk's strings: word id (or NOT_WORD), length, short code */
	uint32_t *map, *len, *code;
	size_t cap;
	/* keys of a group of lines, counted together: hashing a key right
	 * after the small stores that wrote it stalls on every load (they
	 * cannot be forwarded to a wider load) */
	unsigned char stage[STAGE];
	struct {
		uint32_t off, len;
		uint64_t count;
	} line[GROUP];
	size_t used, nlines;
	/* short keys (most lines), counted a group at a time */
	uint64_t short_key[GROUP], short_count[GROUP];
	size_t nshort;
	char joined[CMDLINE_MAX];
};

struct cmdlines *cmdlines_new(void)
{
	struct cmdlines *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (!(c->ids = agg_spill_new()) || !(c->text = agg_spill_new())) {
		agg_spill_free(c->ids);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

struct cmdlines_writer *cmdlines_writer(struct cmdlines *c)
{
	struct cmdlines_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->c = c;
	if (!(w->ids = agg_spill_writer(c->ids)) || !(w->text = agg_spill_writer(c->text))) {
		free(w); /* a spill writer made is the spill's to free */
		return NULL;
	}
	pthread_mutex_lock(&c->lock);
	w->next = c->writers;
	c->writers = w;
	pthread_mutex_unlock(&c->lock);
	return w;
}

/* The id of word s (len bytes), added if new; c->lock held. @return 0 or
 * -1 on oom. */
static int word_id(struct cmdlines *c, const void *s, size_t len, uint32_t *id)
{
	struct agg_entry *e = agg_get(&c->words, s, len);

	if (!e)
		return -1;
	if (!e->count) {
		if (c->nwords == c->cap) {
			uint32_t cap = c->cap ? 2 * c->cap : 4096;
			struct word *p = cap > c->cap ? realloc(c->word, cap * sizeof(*p)) : NULL;
			if (!p) /* out of memory, or 2^31 words */
				return -1;
			c->word = p;
			c->cap = cap;
		}
		c->word[c->nwords] = (struct word){ e->key, e->klen };
		e->count = ++c->nwords;
		if (c->nwords >= cmdlines_words_max)
			__atomic_store_n(&c->as_text, 1, __ATOMIC_RELAXED);
	}
	*id = (uint32_t)(e->count - 1);
	return 0;
}

/* A line of up to AGG_SHORT_MAX words this long or shorter is shorter
 * than the cut. */
#define SHORT_WORD_MAX ((CMDLINE_MAX - 2 - (AGG_SHORT_MAX - 1)) / AGG_SHORT_MAX)

/* A string's part in a short key (short_line): its id as a varint of one
 * or two bytes in the low 16 bits, their number in the top 8; 8 bytes
 * (too many for a short key) for a string that is not a word, a word
 * longer than SHORT_WORD_MAX, or an id of three bytes. */
static uint32_t short_code(uint32_t m, size_t len)
{
	if (m >= 0x4000 || len > SHORT_WORD_MAX) /* NOT_WORD too */
		return 8u << 24;
	return m < 0x80 ? 1u << 24 | m : 2u << 24 | (m & 0x7f) | 0x80 | (m >> 7) << 8;
}

/* Map the batch's strings to word ids, under the lock once. */
static int map_strings(struct cmdlines_writer *w, const struct fmt_batch *b)
{
	uint32_t nstr = fmt_batch_nstrings(b);
	int rc = 0;

	if (nstr > w->cap) {
		uint32_t **a[] = { &w->map, &w->len, &w->code };
		for (size_t k = 0; k < 3; k++) {
			uint32_t *p = realloc(*a[k], nstr * sizeof(*p));
			if (!p)
				return -1;
			*a[k] = p;
		}
		w->cap = nstr;
	}
	pthread_mutex_lock(&w->c->lock);
	for (uint32_t i = 0; i < nstr && !rc; i++) {
		const char *s = fmt_batch_string(b, i);
		size_t len = strlen(s);
		w->len[i] = len < UINT32_MAX ? (uint32_t)len : UINT32_MAX;
		w->map[i] = NOT_WORD;
		if (len && len < CMDLINE_MAX && !memchr(s, ' ', len))
			rc = word_id(w->c, s, len, &w->map[i]);
		w->code[i] = short_code(w->map[i], len);
	}
	pthread_mutex_unlock(&w->c->lock);
	return rc;
}

/* Count the staged lines and the short keys. */
static int flush(struct cmdlines_writer *w)
{
	if (agg_spill_add_shorts(w->ids, w->short_key, w->short_count, w->nshort))
		return -1;
	w->nshort = 0;
	for (size_t k = 0; k < w->nlines; k++)
		if (agg_spill_add(w->ids, w->stage + w->line[k].off, w->line[k].len,
				  w->line[k].count))
			return -1;
	w->used = w->nlines = 0;
	return 0;
}

/* Room to stage a line of up to MAX_WORDS ids. @return 0 or -1 on oom. */
static int room(struct cmdlines_writer *w)
{
	return (w->nlines == GROUP || w->used + MAX_WORDS * ID_MAX > STAGE) ? flush(w) : 0;
}

/* The n bytes staged at w->stage + w->used are a line counted `count` times. */
static void staged(struct cmdlines_writer *w, size_t n, uint64_t count)
{
	w->line[w->nlines].off = (uint32_t)w->used;
	w->line[w->nlines].len = (uint32_t)n;
	w->line[w->nlines].count = count;
	w->used += n;
	w->nlines++;
}

int cmdlines_add_text(struct cmdlines_writer *w, const char *line, size_t len, uint64_t count)
{
	unsigned char *p;
	int rc = 0;

	/* not words: a leading, trailing or double space (an empty argument
	 * makes one), or as long as the cut; the empty line is no words */
	if (__atomic_load_n(&w->c->as_text, __ATOMIC_RELAXED) || len >= CMDLINE_MAX - 1 ||
	    (len && (line[0] == ' ' || line[len - 1] == ' ' || memmem(line, len, "  ", 2))))
		return agg_spill_add(w->text, line, len, count);
	if (room(w))
		return -1;
	p = w->stage + w->used;
	pthread_mutex_lock(&w->c->lock);
	for (size_t at = 0; at < len && !rc;) {
		const char *sp = memchr(line + at, ' ', len - at);
		size_t end = sp ? (size_t)(sp - line) : len;
		uint32_t id;
		if (!(rc = word_id(w->c, line + at, end - at, &id)))
			p = varint_put(p, id);
		at = end + 1;
	}
	pthread_mutex_unlock(&w->c->lock);
	if (rc)
		return -1;
	staged(w, (size_t)(p - (w->stage + w->used)), count);
	return 0;
}

/* A line of argc strings (arg: their ids in the chunk) as the short key
 * agg_short_key makes of its staged ids, built in a register: no branch
 * on the ids' widths, which vary from line to line. @return the key, or 0
 * for the staged path (a short_code of 8 bytes, or too many). A line of
 * codes that fit is all words and shorter than the cut. */
static inline uint64_t short_line(const uint32_t *code, const uint32_t *arg, uint32_t argc)
{
	uint64_t key = 0;
	unsigned n = 0;

	for (uint32_t a = 0; a < argc; a++) {
		uint32_t c = code[arg[a]];
		key |= (uint64_t)(c & 0xffff) << (8 * n); /* n <= 7: a byte past 7 is let go */
		if ((n += c >> 24) > AGG_SHORT_MAX)
			return 0;
	}
	return key | (uint64_t)(n + 1) << 56;
}

/* Count command line id of b as its joined text. */
static int add_joined(struct cmdlines_writer *w, const struct fmt_batch *b, uint32_t id,
		      uint64_t count)
{
	size_t n = fmt_batch_exec_cmd_join(b, id, w->joined, sizeof(w->joined));

	return cmdlines_add_text(w, w->joined, n, count);
}

int cmdlines_add_batch(struct cmdlines_writer *w, const struct fmt_batch *b,
		       const uint64_t *count, uint32_t ndict)
{
	const uint32_t *map, *lens, *code;

	/* joined, as cmdlines_add_text counts them: past the words' limit (as
	 * text), or a batch loaded without the argument ids */
	if (__atomic_load_n(&w->c->as_text, __ATOMIC_RELAXED) ||
	    (ndict && !fmt_batch_exec_cmd_arg_ids(b, 0, &(uint32_t){ 0 }))) {
		for (uint32_t id = 0; id < ndict; id++)
			if (count[id] && add_joined(w, b, id, count[id]))
				return -1;
		return flush(w);
	}
	if (map_strings(w, b))
		return -1;
	/* in registers: the stage's bytes may alias */
	map = w->map, lens = w->len, code = w->code;
	for (uint32_t id = 0; id < ndict; id++) {
		uint32_t argc, words = 1;
		const uint32_t *arg;
		unsigned char *start, *p;
		size_t len;
		uint64_t key;
		if (!count[id])
			continue;
		arg = fmt_batch_exec_cmd_arg_ids(b, id, &argc);
		if ((key = short_line(code, arg, argc))) { /* most lines */
			if (w->nshort == GROUP && flush(w))
				return -1;
			w->short_key[w->nshort] = key;
			w->short_count[w->nshort++] = count[id];
			continue;
		}
		if (room(w))
			return -1;
		len = argc ? argc - 1 : 0;
		/* its ids staged as we go, left there if it is not all words */
		start = p = w->stage + w->used;
		for (uint32_t a = 0; a < argc && words; a++) {
			uint32_t m = map[arg[a]];
			words = m != NOT_WORD && a < MAX_WORDS;
			len += lens[arg[a]];
			if (words)
				p = varint_put(p, m);
		}
		if (words && len < CMDLINE_MAX - 1) /* the words of a line not cut */
			staged(w, (size_t)(p - start), count[id]);
		else if (add_joined(w, b, id, count[id]))
			return -1;
	}
	return flush(w);
}

/* A key of word ids back to its text (agg_rekey_fn). */
static size_t words_text(void *ctx, const void *key, size_t klen, unsigned char *buf)
{
	const struct cmdlines *c = ctx;
	const unsigned char *k = key;
	size_t n = 0;

	for (const unsigned char *end = k + klen; k < end;) {
		uint64_t id;
		k = varint_get(k, &id);
		if (n)
			buf[n++] = ' ';
		memcpy(buf + n, c->word[id].s, c->word[id].len);
		n += c->word[id].len;
	}
	return n;
}

/* A record of the ids count added to the text count (agg_spill_fn). */
struct to_text {
	struct cmdlines *c;
	struct agg_spill_writer *text;
	unsigned char line[CMDLINE_MAX];
};

static int add_as_text(void *ctx, const void *key, size_t klen, uint64_t count)
{
	struct to_text *t = ctx;

	return agg_spill_add(t->text, t->line, words_text(t->c, key, klen, t->line), count);
}

int cmdlines_top(struct cmdlines *c, size_t limit, unsigned threads, struct agg *dst)
{
	struct to_text *t;
	int rc;

	for (struct cmdlines_writer *w = c->writers; w; w = w->next) /* cmdlines_add_text's */
		if (flush(w))
			return -1;
	if (!c->as_text) {
		if (agg_spill_top(c->text, limit, threads, dst))
			return -1;
		return agg_spill_top_rekeyed(c->ids, limit, threads, dst, words_text, c);
	}
	/* the lines counted by ids before there were too many words, as text:
	 * then every line is in the text count, once */
	if (!c->writers)
		return 0;
	if (!(t = malloc(sizeof(*t))))
		return -1;
	t->c = c;
	t->text = c->writers->text;
	rc = agg_spill_each(c->ids, add_as_text, t);
	free(t);
	return rc ? -1 : agg_spill_top(c->text, limit, threads, dst);
}

void cmdlines_free(struct cmdlines *c)
{
	if (!c)
		return;
	while (c->writers) {
		struct cmdlines_writer *w = c->writers;
		c->writers = w->next;
		free(w->map);
		free(w->len);
		free(w->code);
		free(w);
	}
	agg_spill_free(c->ids);
	agg_spill_free(c->text);
	agg_free(&c->words);
	free(c->word);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
