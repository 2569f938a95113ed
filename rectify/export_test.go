package rectify

import "context"

// Exported for the fault tests of package rectify_test, which put the queue in the states a
// crash would leave.
var (
	DispatchBatchTaskID  = dispatchBatchTaskID
	EnqueueDispatchBatch = (*Service).enqueueDispatchBatch
)

// DispatchBatcher is the worker's batcher of dispatch tasks, one batch at a time; the tests
// hold its slot to make tasks wait and gather.
type DispatchBatcher struct{ b *dispatchBatcher }

func NewDispatchBatcher(s *Service) DispatchBatcher {
	return DispatchBatcher{newDispatchBatcher(s, 1, 100)}
}

func (d DispatchBatcher) Dispatch(ctx context.Context, evaluationID int64) error {
	return d.b.dispatch(ctx, evaluationID)
}

// Hold takes the batcher's slot, as a batch under way does; Free gives it back.
func (d DispatchBatcher) Hold() { d.b.slots <- struct{}{} }
func (d DispatchBatcher) Free() { <-d.b.slots }

// Waiting is how many tasks wait for a batch.
func (d DispatchBatcher) Waiting() int {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	return len(d.b.waiting)
}
