using System.Text;

namespace HeadShotEvents.Service.Operations.Page;

/// <summary>The frame every page shares, and the headers that keep it inert.</summary>
internal static class Layout
{
    private const string Style = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
        table { border-collapse: collapse; } td, th { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
        .Completed { color: #17692c; } .Failed { color: #a31515; } .muted { color: #777; }
        form.filters { display: flex; gap: .6rem; flex-wrap: wrap; align-items: end; margin-bottom: 1rem; }
        form.filters label { display: flex; flex-direction: column; font-size: 12px; }
        .thumbnail { width: 128px; height: 128px; object-fit: cover; border: 1px solid #ccc; margin-right: .5rem; }
        .notice { background: #eef7ee; padding: .5rem; } .error { background: #fbeaea; padding: .5rem; }
        ol#timeline li { margin-bottom: .2rem; } code { font-size: 12px; }
        """;

    public static IResult Page(string title, Markup body, int statusCode = StatusCodes.Status200OK, bool refresh = false) =>
        new PageResult(Html.Of($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{title} · HeadShotEvents</title>
            {(refresh ? new Markup("""<meta http-equiv="refresh" content="2">""") : Markup.Empty)}
            <style>{new Markup(Style)}</style></head>
            <body><p><a href="/ops">Event log</a></p>
            {body}
            </body></html>
            """).Value, statusCode);

    private sealed class PageResult(string html, int statusCode) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var headers = context.Response.Headers;
            // Belt and braces behind the encoding: no script runs, forms post only here, images load
            // from anywhere (outputs live on ModelsLab's CDN), and the CDN is not told which job is looked at.
            headers.ContentSecurityPolicy = "default-src 'none'; img-src http: https:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            // same-origin, not no-referrer: under no-referrer a browser posts the replay form with
            // `Origin: null`, and the replay's same-origin check could not tell it from a forgery.
            headers["Referrer-Policy"] = "same-origin";
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            context.Response.StatusCode = statusCode;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(html, Encoding.UTF8, context.RequestAborted);
        }
    }
}
