package measures

import (
	"context"
	"fmt"

	"haochaping/internal/database"
)

// ChannelMix is how many evaluations (active and default: 总评价量) each channel brought in
// the query's slice, in one pass over the rollups; the query's own channel, if any, is
// ignored. A channel without any is absent.
func (s *Service) ChannelMix(ctx context.Context, q Query) (map[string]int64, error) {
	q.Channel = ""
	where, args := q.where()
	units, _, _, args := q.monthsAndDays(args)
	var out map[string]int64
	err := s.read(ctx, func(db database.Querier) error {
		out = map[string]int64{}
		rows, err := db.Query(ctx, `SELECT r.channel, sum(r.total) FROM `+units+` r WHERE `+where+` GROUP BY r.channel`, args...)
		if err != nil {
			return fmt.Errorf("channel mix: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var ch string
			var n int64
			if err := rows.Scan(&ch, &n); err != nil {
				return fmt.Errorf("channel mix: %w", err)
			}
			out[ch] = n
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("channel mix: %w", err)
		}
		return nil
	})
	return out, err
}
