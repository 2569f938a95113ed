package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/internal/config"
)

// The demo receipt: a case just completed at the city hall's first window, as the hall's
// business system would push it, and the link its receipt would print — so that someone trying
// the system can rate from a phone without writing a signed request.
const demoReceiptUsage = `usage: haochaping demo receipt

Pushes a demo case completed now at 综合受理1号窗口 of the city hall (普通护照签发, served by
370400-ZH01-1, applicant 张三) and prints its evaluation link and QR code address. Demo mode only.`

func runDemoReceipt(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		fmt.Fprintln(os.Stderr, demoReceiptUsage)
		return errors.New("demo receipt takes no arguments")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if err := demoAllowed(cfg, false); err != nil {
		return err
	}
	e, a, err := openApp(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	return demoReceipt(ctx, a.Evaluation, stdout)
}

// demoReceipt pushes the demo case into ev and prints its links.
func demoReceipt(ctx context.Context, ev *evaluation.Service, stdout io.Writer) error {
	now := ev.Now()
	in := &evaluation.CaseInput{
		CaseNo:   "DEMO" + now.In(bjtime.Location).Format("20060102150405") + fmt.Sprintf("%03d", now.Nanosecond()/1e6),
		ItemCode: "370400-000105010000", HallCode: "370400-ZWFW", WindowCode: "370400-ZH01", StaffNo: "370400-ZH01-1",
		Applicant:  evaluation.Applicant{Person: evaluation.Person{Name: "张三", Phone: "13812345678"}},
		AcceptedAt: now.Add(-30 * time.Minute), CompletedAt: &now,
	}
	out := ev.UpsertCases(ctx, []*evaluation.CaseInput{in})
	if out[0].Err != nil {
		return fmt.Errorf("demo receipt: %w", out[0].Err)
	}
	r := out[0].Result
	fmt.Fprintf(stdout, "办件 %s（普通护照签发，综合受理1号窗口）\n评价链接: %s\n二维码:   %s\n", r.CaseNo, r.EvaluationURL, r.QRCodeURL)
	return nil
}
