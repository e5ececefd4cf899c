/* SPDX-License-Identifier: MIT */
/* Reading the targets file. */
#include "targets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/json.h"

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

static struct vc_json *load(const char *file, char *err, size_t errlen)
{
	char *text = read_file(file, err, errlen);
	if (!text)
		return NULL;
	char perr[200];
	struct vc_json *j = vc_json_parse(text, perr, sizeof(perr));
	free(text);
	if (!j)
		snprintf(err, errlen, "%s: %s", file, perr);
	return j;
}

static char *substitute(const char *s, const char *host_binary)
{
	const char *mark = "@VGB_HOST@";
	const char *at = strstr(s, mark);
	if (!at)
		return strdup(s);
	size_t n = strlen(s) - strlen(mark) + strlen(host_binary) + 1;
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "%.*s%s%s", (int)(at - s), s, host_binary, at + strlen(mark));
	return out;
}

int vc_target_load(const char *file, const char *name, const char *host_binary,
		   struct vc_target *tg, char *err, size_t errlen)
{
	struct vc_json *root = load(file, err, errlen);
	if (!root)
		return -1;
	const struct vc_json *list = vc_json_get(root, "targets");
	for (const struct vc_json *t = list ? list->child : NULL; t; t = t->next) {
		const char *tname = vc_json_str(t, "name");
		if (!tname || strcmp(tname, name) != 0)
			continue;
		memset(tg, 0, sizeof(*tg));
		tg->name = strdup(tname);
		const char *impl = vc_json_str(t, "implementation");
		tg->implementation = strdup(impl ? impl : tname);
		const struct vc_json *cmd = vc_json_get(t, "command");
		const char *sock = vc_json_str(t, "socket");
		if (cmd && cmd->type == VC_JSON_ARR) {
			size_t n = 0;
			for (const struct vc_json *a = cmd->child; a; a = a->next)
				n++;
			tg->argv = calloc(n + 1, sizeof(char *));
			size_t i = 0;
			for (const struct vc_json *a = cmd->child; a && tg->argv; a = a->next)
				if (a->type == VC_JSON_STR)
					tg->argv[i++] = substitute(a->str, host_binary);
		} else if (sock) {
			tg->socket_path = strdup(sock);
		} else {
			snprintf(err, errlen, "target %s has neither command nor socket", name);
			vc_json_free(root);
			return -1;
		}
		const struct vc_json *v = vc_json_get(t, "validate");
		tg->validate = v && v->type == VC_JSON_BOOL && v->b;
		const struct vc_json *ram = vc_json_get(t, "ram_mib");
		if (ram && ram->type == VC_JSON_NUM && ram->num > 0)
			tg->ram_size = (uint64_t)ram->num << 20;
		vc_json_free(root);
		return 0;
	}
	snprintf(err, errlen, "no target named '%s' in %s", name, file);
	vc_json_free(root);
	return -1;
}

int vc_target_list(const char *file, char *err, size_t errlen)
{
	struct vc_json *root = load(file, err, errlen);
	if (!root)
		return -1;
	const struct vc_json *list = vc_json_get(root, "targets");
	for (const struct vc_json *t = list ? list->child : NULL; t; t = t->next) {
		const char *tname = vc_json_str(t, "name");
		const char *impl = vc_json_str(t, "implementation");
		if (tname)
			printf("%-28s %s\n", tname, impl ? impl : "");
	}
	vc_json_free(root);
	return 0;
}

char **vc_split_command(const char *cmdline)
{
	size_t cap = 8, n = 0;
	char **argv = calloc(cap, sizeof(char *));
	const char *p = cmdline;
	while (argv && *p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		char *word = malloc(strlen(p) + 1);
		if (!word)
			break;
		size_t w = 0;
		char quote = 0;
		for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
			if (!quote && (*p == '\'' || *p == '"'))
				quote = *p;
			else if (quote && *p == quote)
				quote = 0;
			else
				word[w++] = *p;
		}
		word[w] = 0;
		if (n + 2 > cap) {
			cap *= 2;
			char **na = realloc(argv, cap * sizeof(char *));
			if (!na) {
				free(word);
				break;
			}
			argv = na;
		}
		argv[n++] = word;
		argv[n] = NULL;
	}
	return argv;
}

void vc_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

void vc_target_free(struct vc_target *tg)
{
	free((char *)tg->name);
	free((char *)tg->implementation);
	free((char *)tg->socket_path);
	vc_argv_free(tg->argv);
	memset(tg, 0, sizeof(*tg));
}
