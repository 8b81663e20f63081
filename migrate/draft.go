package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
)

// Draft returns a new revision on top of the set's head holding the ops of
// d and, as its downgrade, their exact inverse. An op that cannot be
// reversed makes the downgrade a single [Irreversible] op saying which and
// why, so the file says so and the runner refuses it. The id is derived
// from the down revision, the message and the ops, so the same change
// drafted twice gets the same id; a set with several heads is refused with
// a *MultipleHeadsError.
func Draft(set *Set, message string, d *Diff) (*Revision, error) {
	head, err := set.Head()
	if err != nil {
		return nil, err
	}
	rev := &Revision{Down: head, Message: message}
	if d != nil {
		rev.Upgrade = d.Ops
		rev.Downgrade, err = reverseOps(d.Ops)
		if err != nil {
			rev.Downgrade = []Op{Irreversible{Reason: err.Error()}}
		}
	}
	rev.ID = revisionID(set, rev)
	return rev, nil
}

// Merge returns an empty revision whose parents are the set's heads (at
// least two), joining the branches back into one history.
func Merge(set *Set, message string) (*Revision, error) {
	if err := set.Err(); err != nil {
		return nil, err
	}
	heads := set.Heads()
	if len(heads) < 2 {
		return nil, fmt.Errorf("merge: %d head revision(s), nothing to merge", len(heads))
	}
	rev := &Revision{Down: heads[0], Merges: heads[1:], Message: message}
	rev.ID = revisionID(set, rev)
	return rev, nil
}

// revisionID hashes the revision's parents, message and ops into 12 hex
// digits, salted until it is not taken.
func revisionID(set *Set, rev *Revision) string {
	g := &literal{}
	base := strings.Join(rev.Parents(), ",") + "\n" + rev.Message + "\n" +
		g.render(reflect.ValueOf(rev.Upgrade), false)
	for salt := ""; ; salt += "+" {
		sum := sha256.Sum256([]byte(base + salt))
		id := hex.EncodeToString(sum[:6])
		if set.Revision(id) == nil {
			return id
		}
	}
}
