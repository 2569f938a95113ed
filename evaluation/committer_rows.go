package evaluation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/replay"
)

// insertRowsSQL writes a whole batch in one statement: the rows travel as one array per column
// (unnest), the bad ones get their outbox rows in the same statement, and each written row
// comes back by its key. A row that conflicts (a repeat) is not returned; settleConflict
// answers it. The rows are inserted in the batch's order, so of two with one key the first is
// written.
const insertRowsSQL = `
WITH r AS (
    SELECT * FROM unnest(
        $1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::date[],
        $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[],
        $14::smallint[], $15::text[], $16::integer[], $17::text[], $18::boolean[], $19::boolean[],
        $20::bytea[], $21::text[], $22::bytea[], $23::text[], $24::bytea[],
        $25::timestamptz[], $26::timestamptz[], $27::timestamptz[], $28::text[], $29::bytea[])
    WITH ORDINALITY AS r (
        idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
        region_id, department_id, hall_id, window_id, staff_id, item_id,
        level, reasons, reason_set_version, comment, active, real_name,
        evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc, evaluator_phone_masked,
        evaluator_phone_index, served_at, rated_at, created_at, reason_kind, comment_enc, ord)
), e AS (
    INSERT INTO evaluations (
        idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
        region_id, department_id, hall_id, window_id, staff_id, item_id,
        level, reasons, reason_set_version, comment, active, real_name,
        evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc, evaluator_phone_masked,
        evaluator_phone_index, served_at, rated_at, created_at, reason_kind, comment_enc)
    SELECT idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
           region_id, department_id, hall_id, window_id, staff_id, item_id,
           level, ARRAY(SELECT jsonb_array_elements_text(reasons::jsonb)), reason_set_version, comment, active, real_name,
           evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc, evaluator_phone_masked,
           evaluator_phone_index, served_at, rated_at, created_at, reason_kind, comment_enc
    FROM r ORDER BY ord
    ON CONFLICT DO NOTHING
    RETURNING id, idem_key, bad, created_at
), o AS (
    INSERT INTO outbox (topic, evaluation_id) SELECT 'bad_review', id FROM e WHERE bad
)
SELECT idem_key, id, created_at FROM e`

// rowColumns are the batch's rows as insertRowsSQL's arrays.
type rowColumns struct {
	key, channel                              []string
	device, stage, ticket                     []*string
	caseID, hall, window, staff, item         []*int64
	serviceDay, servedAt, ratedAt, receivedAt []time.Time
	region, dept                              []int64
	level                                     []int16
	reasons, comment, nameMasked, phoneMasked []string
	reasonSet                                 []int32
	active, realName                          []bool
	nameEnc, phoneEnc, phoneIndex, commentEnc [][]byte
	reasonKind                                []*string
}

func columnsOf(jobs []*commitJob) (*rowColumns, error) {
	c := &rowColumns{}
	for _, j := range jobs {
		r := j.row
		reasons := r.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		encoded, err := json.Marshal(reasons)
		if err != nil {
			return nil, fmt.Errorf("evaluation %q: reasons: %w", r.Key, err)
		}
		c.key, c.channel = append(c.key, r.Key), append(c.channel, r.Channel)
		c.device, c.caseID, c.stage, c.ticket = append(c.device, r.DeviceID), append(c.caseID, r.CaseID), append(c.stage, r.Stage), append(c.ticket, r.TicketNo)
		c.serviceDay = append(c.serviceDay, r.ServiceDay)
		c.region, c.dept = append(c.region, r.RegionID), append(c.dept, r.DepartmentID)
		c.hall, c.window, c.staff, c.item = append(c.hall, r.HallID), append(c.window, r.WindowID), append(c.staff, r.StaffID), append(c.item, r.ItemID)
		c.level, c.reasons, c.reasonSet = append(c.level, r.Level), append(c.reasons, string(encoded)), append(c.reasonSet, r.ReasonSetVersion)
		c.comment, c.active, c.realName = append(c.comment, r.Comment), append(c.active, r.Active), append(c.realName, r.RealName)
		c.nameEnc, c.nameMasked = append(c.nameEnc, r.EvaluatorNameEnc), append(c.nameMasked, r.EvaluatorNameMasked)
		c.phoneEnc, c.phoneMasked, c.phoneIndex = append(c.phoneEnc, r.EvaluatorPhoneEnc), append(c.phoneMasked, r.EvaluatorPhoneMasked), append(c.phoneIndex, r.EvaluatorPhoneIndex)
		c.servedAt, c.ratedAt, c.receivedAt = append(c.servedAt, r.ServedAt), append(c.ratedAt, r.RatedAt), append(c.receivedAt, r.ReceivedAt)
		c.reasonKind, c.commentEnc = append(c.reasonKind, r.ReasonKind), append(c.commentEnc, r.CommentEnc)
	}
	return c, nil
}

func (c *rowColumns) args() []any {
	return []any{c.key, c.channel, c.device, c.caseID, c.stage, c.ticket, c.serviceDay,
		c.region, c.dept, c.hall, c.window, c.staff, c.item,
		c.level, c.reasons, c.reasonSet, c.comment, c.active, c.realName,
		c.nameEnc, c.nameMasked, c.phoneEnc, c.phoneMasked, c.phoneIndex,
		c.servedAt, c.ratedAt, c.receivedAt, c.reasonKind, c.commentEnc}
}

// insertRows writes jobs that replace no default in one statement, and their signatures in a
// second; it returns the jobs that were not written (repeats) for settleConflict.
func insertRows(ctx context.Context, tx pgx.Tx, jobs []*commitJob) ([]*commitJob, error) {
	cols, err := columnsOf(jobs)
	if err != nil {
		return nil, err
	}
	var marks []replay.Mark
	var marked []*commitJob
	for _, j := range jobs {
		if j.row.Replay != nil {
			marks, marked = append(marks, *j.row.Replay), append(marked, j)
		}
	}
	b := &pgx.Batch{}
	b.Queue(insertRowsSQL, cols.args()...)
	if len(marks) > 0 {
		replay.QueueMany(b, marks)
	}
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	rows, err := res.Query()
	if err != nil {
		return nil, err
	}
	waiting := map[string][]*commitJob{}
	for _, j := range jobs {
		waiting[j.row.Key] = append(waiting[j.row.Key], j)
	}
	for rows.Next() {
		var key string
		var id int64
		var at time.Time
		if err := rows.Scan(&key, &id, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if js := waiting[key]; len(js) > 0 {
			js[0].id, js[0].createdAt, js[0].created = id, at, true
			waiting[key] = js[1:]
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(marks) > 0 {
		fresh, err := replay.SettleMany(res, marks)
		if err != nil {
			return nil, err
		}
		for i, j := range marked {
			j.replayed = !fresh[i]
			if j.replayed && j.created {
				return nil, replay.ErrReplayed
			}
		}
	}
	var missing []*commitJob
	for _, j := range jobs {
		if !j.created {
			missing = append(missing, j)
		}
	}
	return missing, nil
}
