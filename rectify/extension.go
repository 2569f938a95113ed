package rectify

import (
	"context"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// ExtensionInput asks for a longer rectification deadline (延期).
type ExtensionInput struct {
	Common
	Reason string `json:"reason"`
	// WorkingDays: the whole deadline asked for, in working days from the bad review
	// (at most the region's rectify_max_working_days, 15 by default).
	WorkingDays int `json:"working_days"`
}

// RequestExtension asks the office for a longer deadline.
func (s *Service) RequestExtension(ctx context.Context, actor *access.User, id int64, in ExtensionInput) (*Detail, error) {
	return s.act(ctx, actor, id, RequestExtension, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if err := required("reason", in.Reason, "申请延期须说明原因"); err != nil {
			return err
		}
		if w.Deadlines.ExtensionRequested != nil {
			return problem.Conflict("extension_pending", "已有延期申请待批复")
		}
		d, err := regionDeadlineDays(ctx, tx, w.RegionID)
		if err != nil {
			return err
		}
		due, err := ExtensionDeadline(s.Calendar, w.receivedAt, in.WorkingDays, d, w.Deadlines)
		if err != nil {
			return err
		}
		c.put("extension_until", due)
		c.put("extension_reason", in.Reason)
		c.data = map[string]any{"reason": in.Reason, "until": due, "working_days": in.WorkingDays}
		return s.notify(ctx, tx, fx, w, ExtensionRequestNotice(w.Number, in.Reason, due))
	})
}

// ExtensionRulingInput is the office's answer to an extension request.
type ExtensionRulingInput struct {
	Common
	Grant *bool `json:"grant"`
}

// RuleExtension grants (the deadline moves) or refuses an extension request.
func (s *Service) RuleExtension(ctx context.Context, actor *access.User, id int64, in ExtensionRulingInput) (*Detail, error) {
	if err := s.authorize(ctx, actor, id, GrantExtension); err != nil {
		return nil, err
	}
	if in.Grant == nil {
		return nil, problem.Invalid("grant_required", "grant", "请说明是否批准延期")
	}
	action := RefuseExtension
	if *in.Grant {
		action = GrantExtension
	}
	return s.act(ctx, actor, id, action, in.Common, func(tx pgx.Tx, w *WorkOrder, c *change, fx *effects) error {
		if w.Deadlines.ExtensionRequested == nil {
			return problem.Conflict("no_extension_requested", "没有待批复的延期申请")
		}
		c.data = map[string]any{"requested": *w.Deadlines.ExtensionRequested, "reason": w.extensionReason}
		c.put("extension_until", nil)
		if *in.Grant {
			c.put("rectify_due", *w.Deadlines.ExtensionRequested)
			c.put("rectify_overdue", false)
		}
		return s.notify(ctx, tx, fx, w, ExtensionRulingNotice(w.Number, *in.Grant, *w.Deadlines.ExtensionRequested, in.Note))
	})
}
