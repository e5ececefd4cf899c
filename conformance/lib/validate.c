/* SPDX-License-Identifier: MIT */
/* Reading the validating-mode log. */
#include "validate.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "run.h"

void vc_read_violations(struct vc *t, struct vc_violations *v)
{
	memset(v, 0, sizeof(*v));
	FILE *f = fopen(t->validate_path, "r");
	if (!f)
		return;
	v->log_found = true;
	char line[2048];
	while (fgets(line, sizeof(line), f)) {
		char err[64];
		struct vc_json *j = vc_json_parse(line, err, sizeof(err));
		/* {"id": ...} or {"requirement": ...} */
		const char *id = j ? vc_json_str(j, "id") : NULL;
		if (!id && j)
			id = vc_json_str(j, "requirement");
		if (id && v->n < 32) {
			snprintf(v->ids[v->n], sizeof(v->ids[0]), "%s", id);
			if (v->n == 0) {
				const char *d = vc_json_str(j, "detail");
				snprintf(v->first_detail, sizeof(v->first_detail), "%s", d ? d : "");
			}
			v->n++;
		}
		vc_json_free(j);
	}
	fclose(f);
}

bool vc_violation_has(const struct vc_violations *v, const char *id)
{
	for (unsigned i = 0; i < v->n; i++)
		if (strcmp(v->ids[i], id) == 0)
			return true;
	return false;
}

enum vc_verdict vc_expect_violation(struct vc *t, const char *want, const char *action)
{
	vc_stop_backend(t);
	struct vc_violations v;
	vc_read_violations(t, &v);
	if (!v.log_found)
		return vc_error(t, "validating mode wrote no log at %s", t->validate_path);
	vc_check(t, vc_violation_has(&v, want), want,
		 "the validating device did not report %s after the driver %s (%u other reports%s%s)",
		 want, action, v.n, v.n ? ", first " : "", v.n ? v.ids[0] : "");
	vc_note(t, "%u violations recorded, first: %s %s", v.n, v.n ? v.ids[0] : "-",
		v.first_detail);
	return vc_done(t);
}
