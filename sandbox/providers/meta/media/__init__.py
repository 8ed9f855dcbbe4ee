"""Meta's media: uploads, the Resumable Upload API and its file handles, links fetched on send."""
