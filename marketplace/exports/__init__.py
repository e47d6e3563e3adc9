"""Background exports: lists too long to build within one request, written by a job and downloaded later."""
