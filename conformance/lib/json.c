/* SPDX-License-Identifier: MIT */
/* A small recursive-descent JSON reader and a string escaper. */
#include "json.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

struct parser {
	const char *p;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *ps, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errlen, "%s near '%.20s'", what, ps->p);
	ps->failed = true;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p && isspace((unsigned char)*ps->p))
		ps->p++;
}

static struct vc_json *node(enum vc_json_type type)
{
	struct vc_json *j = calloc(1, sizeof(*j));
	if (j)
		j->type = type;
	return j;
}

static char *parse_string_raw(struct parser *ps)
{
	if (*ps->p != '"') {
		fail(ps, "expected string");
		return NULL;
	}
	ps->p++;
	size_t cap = 32, len = 0;
	char *out = malloc(cap);
	while (out && *ps->p && *ps->p != '"') {
		char c = *ps->p++;
		if (c == '\\') {
			char e = *ps->p++;
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned v = 0;
				for (int i = 0; i < 4; i++) {
					if (!isxdigit((unsigned char)ps->p[i])) {
						fail(ps, "bad \\u escape");
						free(out);
						return NULL;
					}
				}
				sscanf(ps->p, "%4x", &v);
				ps->p += 4;
				c = v < 0x80 ? (char)v : '?'; /* the targets file is ASCII */
				break;
			}
			case '"': case '\\': case '/': c = e; break;
			default:
				fail(ps, "bad escape");
				free(out);
				return NULL;
			}
		}
		if (len + 2 > cap) {
			cap *= 2;
			char *n = realloc(out, cap);
			if (!n) {
				free(out);
				return NULL;
			}
			out = n;
		}
		out[len++] = c;
	}
	if (!out) {
		fail(ps, "out of memory");
		return NULL;
	}
	if (*ps->p != '"') {
		fail(ps, "unterminated string");
		free(out);
		return NULL;
	}
	ps->p++;
	out[len] = 0;
	return out;
}

static struct vc_json *parse_value(struct parser *ps, int depth);

static struct vc_json *parse_container(struct parser *ps, int depth, bool object)
{
	struct vc_json *j = node(object ? VC_JSON_OBJ : VC_JSON_ARR);
	if (!j)
		return NULL;
	ps->p++;
	skip_ws(ps);
	struct vc_json **tail = &j->child;
	char close = object ? '}' : ']';
	if (*ps->p == close) {
		ps->p++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		if (object) {
			skip_ws(ps);
			key = parse_string_raw(ps);
			skip_ws(ps);
			if (!key || *ps->p != ':') {
				free(key);
				fail(ps, "expected member");
				return j;
			}
			ps->p++;
		}
		struct vc_json *v = parse_value(ps, depth + 1);
		if (!v) {
			free(key);
			return j;
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return j;
		}
		fail(ps, "expected , or close");
		return j;
	}
}

static struct vc_json *parse_value(struct parser *ps, int depth)
{
	if (depth > MAX_DEPTH) {
		fail(ps, "nesting too deep");
		return NULL;
	}
	skip_ws(ps);
	char c = *ps->p;
	if (c == '{' || c == '[')
		return parse_container(ps, depth, c == '{');
	if (c == '"') {
		char *s = parse_string_raw(ps);
		if (!s)
			return NULL;
		struct vc_json *j = node(VC_JSON_STR);
		if (!j) {
			free(s);
			return NULL;
		}
		j->str = s;
		return j;
	}
	if (strncmp(ps->p, "true", 4) == 0 || strncmp(ps->p, "false", 5) == 0) {
		struct vc_json *j = node(VC_JSON_BOOL);
		if (j)
			j->b = c == 't';
		ps->p += c == 't' ? 4 : 5;
		return j;
	}
	if (strncmp(ps->p, "null", 4) == 0) {
		ps->p += 4;
		return node(VC_JSON_NULL);
	}
	if (c == '-' || isdigit((unsigned char)c)) {
		char *end;
		double v = strtod(ps->p, &end);
		ps->p = end;
		struct vc_json *j = node(VC_JSON_NUM);
		if (j)
			j->num = v;
		return j;
	}
	fail(ps, "unexpected character");
	return NULL;
}

struct vc_json *vc_json_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { text, err, errlen, false };
	struct vc_json *j = parse_value(&ps, 0);
	skip_ws(&ps);
	if (!ps.failed && *ps.p)
		fail(&ps, "trailing characters");
	if (ps.failed || !j) {
		if (!ps.failed)
			snprintf(err, errlen, "out of memory");
		vc_json_free(j);
		return NULL;
	}
	return j;
}

void vc_json_free(struct vc_json *j)
{
	while (j) {
		struct vc_json *next = j->next;
		vc_json_free(j->child);
		free(j->str);
		free(j->key);
		free(j);
		j = next;
	}
}

const struct vc_json *vc_json_get(const struct vc_json *obj, const char *key)
{
	if (!obj || obj->type != VC_JSON_OBJ)
		return NULL;
	for (const struct vc_json *m = obj->child; m; m = m->next)
		if (m->key && strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

const char *vc_json_str(const struct vc_json *obj, const char *key)
{
	const struct vc_json *m = vc_json_get(obj, key);
	return m && m->type == VC_JSON_STR ? m->str : NULL;
}

void vc_json_write_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
