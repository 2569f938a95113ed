package measures

import (
	"context"
	"fmt"
)

// ChannelMix is how many evaluations (active and default: 总评价量) each channel brought in
// the query's slice, in one pass over the rollups; the query's own channel, if any, is
// ignored. A channel without any is absent.
func (s *Service) ChannelMix(ctx context.Context, q Query) (map[string]int64, error) {
	q.Channel = ""
	where, args := q.where()
	rows, err := s.DB.Pool.Query(ctx, `SELECT r.channel, sum(r.total) FROM rollup_units r WHERE `+where+` GROUP BY r.channel`, args...)
	if err != nil {
		return nil, fmt.Errorf("channel mix: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var ch string
		var n int64
		if err := rows.Scan(&ch, &n); err != nil {
			return nil, fmt.Errorf("channel mix: %w", err)
		}
		out[ch] = n
	}
	return out, rows.Err()
}
