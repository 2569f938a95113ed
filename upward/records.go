package upward

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
	"haochaping/internal/pii"
)

// Enqueue makes the upward records of every evaluation in force that has none — the 办件
// service record and the evaluation
// record, sent in that order — and sends again (marks pending) every acknowledged evaluation
// record whose work order changed since (a rectification fed back, an answer given). It returns
// how many records it enqueued and how many it marked for resending.
func Enqueue(ctx context.Context, db *database.DB, now time.Time) (added, changed int64, err error) {
	for _, r := range []struct {
		kind   Kind
		assess int
	}{{Service, 0}, {Evaluation, 1}} {
		tag, err := db.Pool.Exec(ctx, `
			INSERT INTO upward_records (evaluation_id, kind, assess_number, project_no, next_attempt_at)
			SELECT e.id, $2, $3, `+projectNoSQL+`, $1
			FROM evaluations e `+projectJoins+`
			WHERE NOT e.superseded AND `+reportable+` AND NOT EXISTS (SELECT 1 FROM upward_records u WHERE u.evaluation_id = e.id AND u.assess_number = $3)
			ORDER BY e.id
			ON CONFLICT DO NOTHING`, now, r.kind, r.assess)
		if err != nil {
			return added, 0, fmt.Errorf("upward: enqueue %s records: %w", r.kind, err)
		}
		added += tag.RowsAffected()
	}
	// The citizen's rating of the fix is the platform's second evaluation of the same record.
	tag, err := db.Pool.Exec(ctx, `
		INSERT INTO upward_records (evaluation_id, assess_number, project_no, next_attempt_at)
		SELECT u.evaluation_id, 2, u.project_no, $1
		FROM upward_records u JOIN work_orders w ON w.evaluation_id = u.evaluation_id
		WHERE u.assess_number = 1 AND `+fixLevel+` IS NOT NULL
		ON CONFLICT DO NOTHING`, now)
	if err != nil {
		return added, 0, fmt.Errorf("upward: enqueue the ratings of fixes: %w", err)
	}
	added += tag.RowsAffected()
	tag, err = db.Pool.Exec(ctx, `
		UPDATE upward_records u SET state = 'pending', next_attempt_at = $1, attempts = 0
		FROM work_orders w
		WHERE w.evaluation_id = u.evaluation_id AND u.assess_number = 1 AND u.state = 'acknowledged'
		  AND w.updated_at > u.acknowledged_at`, now)
	if err != nil {
		return added, 0, fmt.Errorf("upward: mark changed records: %w", err)
	}
	return added, tag.RowsAffected(), nil
}

// The platform files records by 办件编号 (projectNo). A rating of a case takes the case's number
// (with -SL for a rating at acceptance, apart from the one at completion); a rating of a visit
// to a window by its queue ticket (一次一评), which has no case, takes one made of the window,
// the service day and the ticket — unique as the visit's rating is (ASSUMED: docs/UPWARD.md).
const (
	projectNoSQL = `CASE WHEN e.case_id IS NOT NULL THEN c.case_no || CASE WHEN e.stage = 'accept' THEN '-SL' ELSE '' END
	ELSE 'QH-' || wi.code || '-' || to_char(e.service_day, 'YYYYMMDD') || '-' || e.ticket_no END`
	projectJoins = `LEFT JOIN cases c ON c.id = e.case_id LEFT JOIN windows wi ON wi.id = e.window_id`
	reportable   = `(e.case_id IS NOT NULL OR (e.window_id IS NOT NULL AND e.ticket_no IS NOT NULL))`
)

// fixLevel is the citizen's rating of the fix, the platform's second evaluation: their own
// 满意 / 基本满意 / 不满意 through the link (evaluator_verdict) as 5 / 4 / 1, which counts first
// (rectify.FeedbackInput), else the level staff recorded for them at the feedback.
const fixLevel = `COALESCE(CASE w.evaluator_verdict WHEN 'satisfied' THEN 5 WHEN 'basically_satisfied' THEN 4 WHEN 'dissatisfied' THEN 1 END, w.feedback_satisfaction)`

// recordSQL reads what the platform receives of the claimed records, in our terms (Record).
// The rectification and the answer are the work order's feedback, when it has one.
const recordSQL = `
SELECT u.id, u.evaluation_id, u.project_no, u.assess_number, u.kind, COALESCE(e.stage, 'visit'),
       COALESCE(c.source_channel, e.channel), COALESCE(si.name, '窗口办事服务'), e.channel, e.device_id IS NULL,
       CASE WHEN u.assess_number = 2 THEN ` + fixLevel + ` ELSE e.level END,
       CASE WHEN u.assess_number = 2 THEN '{}'::text[] ELSE e.reasons END,
       CASE WHEN u.assess_number = 2 THEN '' ELSE e.comment END,
       CASE WHEN u.assess_number = 2 THEN COALESCE(w.evaluator_verdict_at, w.fed_back_at, w.updated_at) ELSE e.rated_at END,
       CASE WHEN c.id IS NULL THEN e.served_at ELSE c.completed_at END, COALESCE(c.accepted_at, e.served_at),
       COALESCE(c.applicant_kind, 'person'), c.applicant_id_enc, COALESCE(c.applicant_name_enc, e.evaluator_name_enc),
       COALESCE(si.code, ''), COALESCE(si.kind, ''), d.code, d.name, r.code,
       COALESCE(fix.measures, explained.text, ''), COALESCE(answered.note, ''), u.record_hash
FROM upward_records u
JOIN evaluations e ON e.id = u.evaluation_id
LEFT JOIN cases c ON c.id = e.case_id
LEFT JOIN service_items si ON si.id = COALESCE(c.item_id, e.item_id)
JOIN departments d ON d.id = e.department_id
JOIN regions r ON r.id = e.region_id
LEFT JOIN work_orders w ON w.evaluation_id = e.id
LEFT JOIN LATERAL (SELECT v.data->>'measures' AS measures FROM work_order_events v
                   WHERE v.work_order_id = w.id AND v.action = 'rectify' ORDER BY v.id DESC LIMIT 1) fix ON true
LEFT JOIN LATERAL (SELECT v.data->>'explanation' AS text FROM work_order_events v
                   WHERE v.work_order_id = w.id AND v.action = 'decide_explain' ORDER BY v.id DESC LIMIT 1) explained ON true
LEFT JOIN LATERAL (SELECT v.note FROM work_order_events v
                   WHERE v.work_order_id = w.id AND v.action = 'feedback' ORDER BY v.id DESC LIMIT 1) answered ON true
WHERE u.id = ANY($1::bigint[])
ORDER BY u.id`

// claimed is one claimed record, read.
type claimed struct {
	id, evaluationID int64
	kind             Kind
	assess           int16
	record           Record
	acknowledged     []byte // the hash of what the platform last acknowledged of it, if anything
}

func loadRecords(ctx context.Context, tx pgx.Tx, keys *pii.Keys, ids []int64) ([]claimed, error) {
	rows, err := tx.Query(ctx, recordSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("upward: load records: %w", err)
	}
	defer rows.Close()
	var out []claimed
	for rows.Next() {
		var (
			id, evaluationID                       int64
			projectNo, channel, comment            string
			kind, itemCode, itemKind, dept, region string
			deptName, measures, answer             string
			recKind, stage, source, itemName       string
			viaLink                                bool
			level, assess                          int16
			reasons                                []string
			ratedAt, acceptedAt                    time.Time
			completedAt                            *time.Time
			idEnc, nameEnc, acknowledged           []byte
		)
		if err := rows.Scan(&id, &evaluationID, &projectNo, &assess, &recKind, &stage, &source, &itemName, &channel, &viaLink, &level, &reasons, &comment, &ratedAt,
			&completedAt, &acceptedAt, &kind, &idEnc, &nameEnc,
			&itemCode, &itemKind, &dept, &deptName, &region, &measures, &answer, &acknowledged); err != nil {
			return nil, fmt.Errorf("upward: load records: %w", err)
		}
		r := Record{
			"project_no": projectNo, "channel": channelOf(channel, viaLink), "level": fmt.Sprint(level),
			"comment": comment, "rated_at": ratedAt.Format(time.RFC3339Nano), "dept_code": dept, "dept_name": deptName,
			"area_code": region, "accepted_at": acceptedAt.Format(time.RFC3339Nano), "promise_type": itemKind,
			"user_prop":     map[string]string{"person": "person", "enterprise": "legal"}[kind],
			"assess_number": map[int16]string{1: "first", 2: "second"}[assess],
			"rectification": measures, "answer": answer,
			// The service the evaluation rates: the acceptance (受理) or the completion (办结) of
			// the case, one service per record (the accept stage's project_no is apart, -SL).
			"service_number": "1", "task_name": itemName,
			"pro_channel": map[string]string{"pc": "online", "mobile": "online", "window": "offline", "kiosk": "offline"}[source],
		}
		r["service_name"], r["service_time"] = "受理", acceptedAt.Format(time.RFC3339Nano)
		if len(itemCode) == 31 {
			r["task_code"] = itemCode
		}
		switch stage {
		case "complete":
			r["service_name"], r["service_time"] = "办结", completedAt.Format(time.RFC3339Nano)
		case "visit": // a window's service of a ticket, without a case: done when served
			r["service_name"], r["service_time"] = "窗口服务", completedAt.Format(time.RFC3339Nano)
		}
		if completedAt != nil {
			r["completed_at"], r["pro_status"] = completedAt.Format(time.RFC3339Nano), "completed"
		} else {
			r["pro_status"] = "handling"
		}
		if set := map[string]string{"window": "offline", "kiosk": "offline"}[channel]; len(reasons) > 0 {
			if set == "" {
				set = "online"
			}
			joined := ""
			for i, code := range reasons {
				if i > 0 {
					joined += ","
				}
				joined += set + "." + code
			}
			r["reasons"] = joined
		}
		// Identity travels only in this channel, opened here and sealed again by the envelope.
		if r["cert_key"], err = keys.Open(idEnc); err != nil {
			return nil, fmt.Errorf("upward: record %d: %w", id, err)
		}
		if r["user_name"], err = keys.Open(nameEnc); err != nil {
			return nil, fmt.Errorf("upward: record %d: %w", id, err)
		}
		out = append(out, claimed{id: id, evaluationID: evaluationID, kind: Kind(recKind), assess: assess, record: r, acknowledged: acknowledged})
	}
	return out, rows.Err()
}

// channelOf is the channel as the profiles name it: the receipt's QR code (a rating through the
// link page, no device) apart from the app.
func channelOf(channel string, viaLink bool) string {
	if channel == "mobile" {
		if viaLink {
			return "mobile_qr"
		}
		return "mobile_app"
	}
	return channel
}
