"""Problem sets: templates with drawn values (`template`, `generator`), the built set
(`build`) and starter problems (`starter`)."""
