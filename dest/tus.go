package dest

// KindTus is any tus 1.0 server, at its creation URL; "" is tus too.
const KindTus Kind = "tus"

func init() {
	register(&Provider{
		Kind:  KindTus,
		Rank:  10,
		Label: "Any tus server",
		Short: "tus server",
		About: "Any server that speaks tus 1.0: tusd, a CDN, your own.",
		Fields: []Field{
			{Slot: SlotURL, Label: "URL", Help: "Where uploads are created, e.g. https://tus.example.com/files/.",
				Placeholder: "https://tus.example.com/files/", Missing: "Give the upload URL, e.g. https://tus.example.com/files/.", Check: checkURL},
			authField,
			headersField,
			metaField,
			{Slot: SlotChunk, Label: "Chunk size", Help: "For servers or proxies that limit a request. Empty: one request a file.", Placeholder: "e.g. 10 MB"},
		},
		Where:        func(d Destination) string { return d.URL },
		NamesUploads: true,
	})
}

// Fields a tus server and a backend share.
var (
	authField = Field{Slot: SlotAuth, Label: "Authorization", Help: "Optional. Sent as the Authorization header; kept in the keychain.",
		Placeholder: "e.g. Bearer abc123"}
	headersField = Field{Slot: SlotHeaders, Label: "Headers", Help: "One per line, Name: value. Secret ones go to the keychain.",
		Placeholder: "X-Team: studio\nX-Api-Key: …"}
	metaField = Field{Slot: SlotMeta, Label: "Metadata", Help: "One per line, key=value: sent with every file, besides its name.",
		Placeholder: "project=spring\nowner=ana"}
)
