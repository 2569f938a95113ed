package rectify

// Exported for the fault tests of package rectify_test, which put the queue in the states a
// crash would leave.
var (
	DispatchTaskID  = dispatchTaskID
	EnqueueDispatch = (*Service).enqueueDispatch
)
