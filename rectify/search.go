package rectify

import (
	"fmt"
	"regexp"
	"strings"

	"haochaping/internal/pii"
)

// The shapes of what a search box may hold, as the columns' checks define them
// (migrations 00004, 00005; work-order numbers: rectify/dispatcher.go).
var (
	numberShape = regexp.MustCompile(`^[Zz][Gg][0-9]{6,}$`)
	caseShape   = regexp.MustCompile(`^[0-9A-Za-z_-]{4,64}$`)
	ticketShape = regexp.MustCompile(`^[0-9A-Za-z_-]{1,32}$`)
)

// searchClause is the predicate over work_orders w of one search box (Filter.Query), with its
// arguments numbered from $first. It matches any of:
//
//   - the work-order number (ZG…), in either case;
//   - the case number (办件编号), in either case;
//   - the window ticket (排队号), exactly;
//   - a phone number, by its keyed hash (pii.Keys.PhoneIndex, written in its normal form, so
//     "138 1234 5678", "138-1234-5678" and "+86 13812345678" are one number): the evaluator's
//     phone on the bad review, and the applicant's on its case.
//
// A query shaped like a phone number (pii.IsPhoneLike), or written as one (a + or spaces), is
// looked up by its hash only: the number itself never goes to the database, in a parameter
// or anywhere else. Each kind is a branch of its own over its own index (migration 00018); a
// query that can be none of them matches nothing.
//
// The branches are gathered into an array (an InitPlan, run once) that work_orders' primary
// key is probed with, and the scope and the other filters then apply to the few orders found.
// Written as w.id IN (…), the planner joined all of evaluations to work_orders before the
// semi-join and took 150 ms for one order among 150,000 evaluations; as = ANY(ARRAY(…)), 2 ms.
// Cases are joined to their evaluations by the index of a case and stage, which holds the
// rows not superseded — and a work order's evaluation is never superseded: only a default
// (never a bad review) is.
func searchClause(keys *pii.Keys, q string, first int) (string, []any) {
	q = strings.TrimSpace(q)
	var branches []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", first+len(args)-1)
	}
	normal := pii.NormalPhone(q)
	phoneOnly := pii.IsPhoneLike(normal) || strings.HasPrefix(q, "+") || strings.ContainsAny(q, " \u3000")
	if !phoneOnly {
		if numberShape.MatchString(q) {
			branches = append(branches, `SELECT wo.id FROM work_orders wo WHERE wo.number = upper(`+arg(q)+`)`)
		}
		isCase, isTicket := caseShape.MatchString(q), ticketShape.MatchString(q)
		if isCase || isTicket {
			p := arg(q)
			if isCase {
				branches = append(branches, `SELECT wo.id FROM cases sc JOIN evaluations se ON se.case_id = sc.id AND NOT se.superseded
					JOIN work_orders wo ON wo.evaluation_id = se.id WHERE lower(sc.case_no) = lower(`+p+`)`)
			}
			if isTicket {
				branches = append(branches, `SELECT wo.id FROM evaluations se JOIN work_orders wo ON wo.evaluation_id = se.id
					WHERE se.ticket_no = `+p)
			}
		}
	}
	if pii.IsPhoneDigits(normal) && keys != nil {
		// Its hash under every configured key: rows `keys rotate` has not reached yet are found.
		h := arg(keys.PhoneIndexes(normal))
		branches = append(branches,
			`SELECT wo.id FROM evaluations se JOIN work_orders wo ON wo.evaluation_id = se.id
				WHERE se.evaluator_phone_index = ANY(`+h+`::bytea[])`,
			`SELECT wo.id FROM cases sc JOIN evaluations se ON se.case_id = sc.id AND NOT se.superseded
				JOIN work_orders wo ON wo.evaluation_id = se.id WHERE sc.applicant_phone_index = ANY(`+h+`::bytea[])`)
	}
	if len(branches) == 0 {
		return "FALSE", nil
	}
	return "w.id = ANY(ARRAY(" + strings.Join(branches, "\n\t\tUNION ALL ") + "))", args
}
