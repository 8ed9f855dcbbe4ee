"""Meta's media: uploads, the media node and URL, the Resumable Upload API and its file handles, links
fetched on send."""
