/* SPDX-License-Identifier: MIT */
/* A small JSON reader (for the targets file) and string writer (for results). */
#ifndef VGB_CONFORM_JSON_H
#define VGB_CONFORM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum vc_json_type { VC_JSON_NULL, VC_JSON_BOOL, VC_JSON_NUM, VC_JSON_STR, VC_JSON_ARR, VC_JSON_OBJ };

struct vc_json {
	enum vc_json_type type;
	bool b;
	double num;
	char *str;               /* STR value */
	char *key;               /* member name when inside an object */
	struct vc_json *child;   /* first element/member */
	struct vc_json *next;    /* next sibling */
};

/* Parse text; NULL with err filled on malformed input. */
struct vc_json *vc_json_parse(const char *text, char *err, size_t errlen);
void vc_json_free(struct vc_json *j);
/* Member of an object by name, or NULL. */
const struct vc_json *vc_json_get(const struct vc_json *obj, const char *key);
/* String member or NULL. */
const char *vc_json_str(const struct vc_json *obj, const char *key);

/* Write s as a JSON string literal. */
void vc_json_write_str(FILE *f, const char *s);

#endif
