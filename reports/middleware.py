"""The summary state read once per page view (reports.services.read_state)."""

from .services import reading_state


class ReadStateOnceMiddleware:
    """A GET or HEAD request asks for the summary state once: its key, its figures
    and its filters' choices then share what the first question read. Other methods
    write, and read the state afresh each time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with reading_state():
            return self.get_response(request)
