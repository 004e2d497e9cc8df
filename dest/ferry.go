package dest

import (
	"fmt"

	"github.com/ferry-app/ferry/engine/transfer"
)

// KindFerry is Ferry's receiver on another computer (`ferry serve
// --listen` on a studio's NAS, say): a tus server that takes the token it
// was started with as "Authorization: Bearer TOKEN" on every request, and
// upload ids Ferry names. This file is the whole provider: a new kind is
// one file like it.
const KindFerry Kind = "ferry"

func init() {
	register(&Provider{
		Kind:  KindFerry,
		Rank:  60,
		Label: "Ferry on another computer (ferry serve)",
		Short: "Ferry receiver",
		About: "Another computer running ferry serve --listen: files land in its folder.",
		Who:   "the Ferry receiver",
		Fields: []Field{
			{Slot: SlotURL, Label: "URL", Help: "The address ferry serve prints, e.g. http://studio-nas:1080/files/.",
				Placeholder: "http://studio-nas:1080/files/",
				Missing:     "Give the receiver's URL, the one ferry serve prints, e.g. http://studio-nas:1080/files/.", Check: checkURL},
			{Slot: SlotToken, Label: "Token", Help: "The receiver's token (ferry serve says where it keeps it). Kept in the keychain.",
				Placeholder: "Paste the receiver's token", Missing: "Paste the receiver's token: it takes no file without it."},
		},
		Where: func(d Destination) string { return "Ferry at " + transfer.HostOf(d.URL) },
		Refused: func(d Destination, status int) string {
			return fmt.Sprintf("The Ferry receiver refused the token (%d). Check the token%s: it is the one ferry serve keeps in its data dir, or in its --token-file.", status, savedFor(d))
		},
		NamesUploads: true,
	})
}
