package main

import (
	"context"
	"fmt"

	"haochaping/evaluation"
	"haochaping/internal/database"
	"haochaping/loadgen"
)

// A rating of a window visit by its queue ticket (loadgen --tickets) has no case and stage, the
// identity evaluation.CheckAcknowledged proves ratings by; its identity is the window, the day
// and the ticket. checkTicketAcks proves those: for each idempotency key acknowledged, the
// evaluation kept under that key is the one every answer named, and it is the only one in force
// for its visit. It adds what it finds to out, so that check reports one set of figures.
func checkTicketAcks(ctx context.Context, pool *database.DB, acks []loadgen.Ack, out *evaluation.AckCheck) error {
	answered := map[string]map[int64]bool{}
	var order []string
	for _, a := range acks {
		if answered[a.Key] == nil {
			answered[a.Key] = map[int64]bool{}
			order = append(order, a.Key)
		}
		answered[a.Key][a.ID] = true
	}
	out.Answers += len(acks)
	out.Acknowledged += len(order)
	example := func(list *[]string, key, why string) {
		if len(*list) < 10 {
			*list = append(*list, fmt.Sprintf("ticket rating %s: %s", key, why))
		}
	}
	const chunk = 5000
	for from := 0; from < len(order); from += chunk {
		part := order[from:min(from+chunk, len(order))]
		rows, err := pool.Pool.Query(ctx, `
			SELECT k.key, e.id, (SELECT count(*) FROM evaluations v
			                     WHERE v.window_id = e.window_id AND v.service_day = e.service_day
			                       AND v.ticket_no = e.ticket_no AND NOT v.superseded)
			FROM unnest($1::text[]) AS k(key)
			LEFT JOIN evaluations e ON e.idem_key = k.key AND NOT e.superseded`, part)
		if err != nil {
			return fmt.Errorf("check acknowledged ticket ratings: %w", err)
		}
		for rows.Next() {
			var key string
			var id *int64
			var inForce int
			if err := rows.Scan(&key, &id, &inForce); err != nil {
				rows.Close()
				return fmt.Errorf("check acknowledged ticket ratings: %w", err)
			}
			ids := answered[key]
			switch {
			case id == nil || !ids[*id]:
				out.Lost++
				example(&out.LostExamples, key, fmt.Sprintf("answered %v, stored %v", keysOf(ids), id))
			case len(ids) > 1 || inForce > 1:
				out.Duplicated++
				example(&out.DuplicatedExamples, key, fmt.Sprintf("answered %v, %d in force for the visit", keysOf(ids), inForce))
			default:
				out.Stored++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("check acknowledged ticket ratings: %w", err)
		}
	}
	return nil
}

func keysOf(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
