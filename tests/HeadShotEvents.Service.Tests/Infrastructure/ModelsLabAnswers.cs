using System.Net.Http.Headers;
using System.Text;
using HeadShotEvents.ModelsLab;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// Sits between the service's ModelsLab client and the simulator and changes chosen answers, for
/// bodies the simulator never sends (a lone surrogate escape, a success without outputs).
/// </summary>
public sealed class ModelsLabAnswers
{
    private int _calls;

    /// <summary>Given the path ModelsLab was called on, the call's number (1, 2, ...) and the real body: the body to answer instead.</summary>
    public required Func<string, int, string, string> Rewrite { get; init; }

    public void AddTo(IServiceCollection services) =>
        services.AddHttpClient<ModelsLabClient>().AddHttpMessageHandler(() => new Handler(this));

    private sealed class Handler(ModelsLabAnswers answers) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var rewritten = answers.Rewrite(request.RequestUri!.AbsolutePath, Interlocked.Increment(ref answers._calls), body);
            response.Content = new StringContent(rewritten, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            return response;
        }
    }

    /// <summary>
    /// The same JSON object with the field set to <paramref name="rawValue"/> (JSON text): added
    /// last, so that it is the copy a reader finds when the body already had one.
    /// </summary>
    public static string WithField(string body, string name, string rawValue)
    {
        var end = body.LastIndexOf('}');
        return end < 0 ? body : body[..end] + ",\"" + name + "\":" + rawValue + body[end..];
    }
}
