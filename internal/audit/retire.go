package audit

import (
	"context"
	"fmt"
)

// MinRetentionDays is the least the log keeps (等保 asks for six months): the setting
// audit_retention_days may keep it longer, never shorter, and the table's trigger refuses
// removing anything younger.
const MinRetentionDays = 180

// Retire removes the rows older than the retention — the city-wide setting
// audit_retention_days, at least MinRetentionDays — from the oldest end, and returns how many.
// The first row left keeps its prev_hash: Verify starts the chain there.
func (l *Log) Retire(ctx context.Context) (int64, error) {
	tag, err := l.DB.Pool.Exec(ctx, `
		WITH keep AS (
		    SELECT greatest($1::int, COALESCE((SELECT CASE WHEN value ~ '^[0-9]{1,5}$' THEN value::int END
		        FROM settings WHERE region_id IS NULL AND key = 'audit_retention_days'), $1::int)) AS days
		)
		DELETE FROM security_audit WHERE at < now() - (SELECT days FROM keep) * interval '1 day'`, MinRetentionDays)
	if err != nil {
		return 0, fmt.Errorf("retire audit rows: %w", err)
	}
	return tag.RowsAffected(), nil
}
