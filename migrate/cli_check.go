package migrate

import (
	"encoding/json"
	"errors"
)

// CheckReport is what `check -json` prints on stdout, whatever the
// outcome, for scripts that cannot see the exit code.
type CheckReport struct {
	// Status is "ok" (at head, matching the models), "drift" (the models
	// and the database differ), "pending" (revisions not applied) or
	// "error" (the check could not run; Error says why).
	Status string `json:"status"`
	// Ops describes the changes a revision would need, one per op.
	Ops []string `json:"ops,omitempty"`
	// Destructive lists why some of those ops would lose data.
	Destructive []string `json:"destructive,omitempty"`
	// Unmanaged names the tables and types no model describes.
	Unmanaged []string `json:"unmanaged,omitempty"`
	// Error says why the check could not run, or what is pending.
	Error string `json:"error,omitempty"`
}

// checkReport describes the outcome of Runner.Check.
func checkReport(d *Diff, err error) CheckReport {
	var rep CheckReport
	switch {
	case err == nil:
		rep.Status = "ok"
	case errors.Is(err, ErrDrift):
		rep.Status = "drift"
	case errors.Is(err, ErrNotUpToDate):
		rep.Status, rep.Error = "pending", err.Error()
	default:
		rep.Status, rep.Error = "error", err.Error()
	}
	if d == nil {
		return rep
	}
	for _, op := range d.Ops {
		rep.Ops = append(rep.Ops, op.String())
		if why := Destructive(op); why != "" {
			rep.Destructive = append(rep.Destructive, why)
		}
	}
	for _, o := range d.Unmanaged {
		rep.Unmanaged = append(rep.Unmanaged, o.String())
	}
	return rep
}

// writeCheckJSON prints the report of a check on one line.
func (c *cli) writeCheckJSON(d *Diff, err error) error {
	b, jerr := json.Marshal(checkReport(d, err))
	if jerr != nil {
		return jerr
	}
	_, werr := c.out.Write(append(b, '\n'))
	return werr
}
