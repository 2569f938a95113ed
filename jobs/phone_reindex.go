package jobs

import "context"

// PhoneReindex rehashes, in their normal form, the phones stored before phones were
// normalised (evaluation.Service.ReindexPhones; migration 00018). Once its queue is empty a
// run is one query that finds nothing.
func PhoneReindex(ev interface {
	ReindexPhones(context.Context) (int64, error)
}) Job {
	return Job{Name: "phone_reindex", Schedule: "30 * * * * *", Summary: "按统一格式重算已存手机号的检索散列",
		Run: ev.ReindexPhones}
}
