package office

import (
	"fmt"
	"time"

	"haochaping/internal/database"
)

// readNote tells the dashboard's reader where its figures come from when a replica is set:
// from the replica, and how far behind the primary it is, or from the primary while the
// replica cannot be reached. Without a replica there is nothing to say.
func readNote(src database.ReadSource) string {
	switch {
	case src.Replica && src.Lag < time.Second:
		return "本页数据来自只读副本，已与主库同步。"
	case src.Replica:
		return "本页数据来自只读副本，比最新数据约晚" + lagText(src.Lag) + "。"
	case src.Fallback:
		return "只读副本暂不可用，本页数据直接读自主库。"
	}
	return ""
}

// lagText is a delay in the largest whole unit a reader needs: seconds, minutes or hours.
func lagText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf(" %d 秒", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf(" %d 分钟", int(d/time.Minute))
	}
	return fmt.Sprintf(" %d 小时", int(d/time.Hour))
}
