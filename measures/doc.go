// Package measures is the measures the office is judged by — 总评价量, 主动评价率, 评价率, 好评率,
// 差评率, 满意度, 回访率, 整改率, 记录率, 实名差评整改率, 按时整改率, 平均整改时长, 及时上报率 — and the
// monthly rankings, with the rollup tables behind them, which this package alone writes
// (rollup_evaluations, rollup_units, rollup_cases, rollup_rectification, rankings). It reads
// what package evaluation (evaluations, cases, upward reports) and package rectify (work orders)
// keep; they never write its tables. measures/statsapi is its HTTP API.
package measures
