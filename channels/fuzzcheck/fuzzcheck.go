// Package fuzzcheck holds what the fuzz tests of the channel adapters share: a fixed clock, the
// national reason lists, and the property every refusal must have.
package fuzzcheck

import (
	"testing"
	"time"

	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
)

// Now is the fixed "now" of ValidateStatic, so that a run does not depend on the clock.
var Now = time.Date(2026, 11, 26, 12, 0, 0, 0, bjtime.Location)

// Reasons is the national reason lists.
var Reasons = evaluation.NewReasonSet(1, []evaluation.Reason{
	{Kind: evaluation.Online, Code: "overall", Name: "整体满意度"},
	{Kind: evaluation.Online, Code: "efficiency", Name: "办事效率"},
	{Kind: evaluation.Online, Code: "guide", Name: "办事指南精确度"},
	{Kind: evaluation.Online, Code: "convenience", Name: "办事便捷度"},
	{Kind: evaluation.Online, Code: "usability", Name: "平台操作性"},
	{Kind: evaluation.Offline, Code: "overall", Name: "整体满意度"},
	{Kind: evaluation.Offline, Code: "efficiency", Name: "服务效率"},
	{Kind: evaluation.Offline, Code: "quality", Name: "服务水平"},
	{Kind: evaluation.Offline, Code: "attitude", Name: "服务态度"},
	{Kind: evaluation.Offline, Code: "environment", Name: "办事环境"},
})

// RequireClientError fails unless err is a *problem.Error with a 4xx status: bad input is
// refused, never a 5xx or a bare error.
func RequireClientError(t *testing.T, step string, body []byte, err error) {
	t.Helper()
	pe, ok := problem.As(err)
	if !ok {
		t.Fatalf("%s: error %T %q is not a *problem.Error\ninput: %q", step, err, err, body)
	}
	if pe.Status < 400 || pe.Status >= 500 {
		t.Fatalf("%s: status %d (%s), want 4xx\ninput: %q", step, pe.Status, pe, body)
	}
}

// Validate runs the checks a submission meets before the database — evaluation.ValidateStatic,
// and its reasons against each set, since the set follows the service rated — and requires
// every refusal to be a client error.
func Validate(t *testing.T, body []byte, sub *evaluation.Submission) {
	t.Helper()
	if err := evaluation.ValidateStatic(sub, Now); err != nil {
		RequireClientError(t, "ValidateStatic", body, err)
		return
	}
	for _, kind := range []evaluation.ReasonKind{evaluation.Online, evaluation.Offline} {
		if _, err := evaluation.ResolveReasons(sub.Reasons, Reasons, kind); err != nil {
			RequireClientError(t, "ResolveReasons", body, err)
		}
	}
}
