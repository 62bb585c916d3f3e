// Placeholder so the codec library has a source until the codec lands; delete it then.
