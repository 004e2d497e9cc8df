package transfer

func (p *progress) Offered(int64) {}
