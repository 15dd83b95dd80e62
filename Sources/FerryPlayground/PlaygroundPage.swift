/// The playground page: one self-contained file of HTML, CSS and JavaScript. Nothing loads from
/// elsewhere (the page's Content-Security-Policy forbids it), so it works offline.
enum PlaygroundPage {
    static let html = """
        <!doctype html><title>Ferry playground</title>
        """
}
