package pgdocker

// ExpiryLabel marks containers with their expiry time.
const ExpiryLabel = expiryLabel

// RunOptions returns the container s would run with settings.
func (s Source) RunOptions(settings []string) (repository, tag string, env, cmd []string, labels map[string]string) {
	o := s.runOptions(settings)
	return o.Repository, o.Tag, o.Env, o.Cmd, o.Labels
}
