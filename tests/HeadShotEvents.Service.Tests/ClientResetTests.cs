using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HeadShotEvents.Service.Tests;

/// <summary>A caller that resets its connection mid-body is the caller's problem: a debug line, not an error with a stack trace.</summary>
public sealed class ClientResetTests
{
    private const string HostingLog = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [Fact]
    public async Task A_webhook_caller_resetting_mid_body_is_logged_at_debug_and_never_as_an_error()
    {
        var logs = new Lines();
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            ConfigureServices = services =>
            {
                services.AddSingleton<ILoggerProvider>(logs);
                services.Configure<LoggerFilterOptions>(filters =>
                {
                    filters.MinLevel = LogLevel.Debug;
                    // The request log (it prints the token; appsettings keeps it from the console) for
                    // this test's own lines only: its start and end are the signals awaited below.
                    filters.Rules.Add(new LoggerFilterRule(typeof(Lines).FullName, HostingLog, LogLevel.Information, null));
                });
            },
        });
        var token = service.Services.GetRequiredService<WebhookTokens>().Mint(1);

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(service.BaseAddress.Host, service.BaseAddress.Port);
            var head = $"POST /webhooks/modelslab/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{{\"status\":\"success\",";
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
            await client.GetStream().FlushAsync();
            // Kestrel must have handed the request on when the reset comes, or there is no request to log.
            await Eventually.UntilAsync(() => Task.FromResult(logs.All.ToList()), all => all.Any(l => l.Contains("Request starting HTTP/1.1 POST", StringComparison.Ordinal)),
                Pipeline.Patience, "the request to reach the service");
            client.Client.LingerState = new LingerOption(true, 0); // close with RST, not FIN
            client.Client.Close();
        }

        await Eventually.UntilAsync(() => Task.FromResult(logs.All.ToList()), all => all.Any(l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("reset its connection", StringComparison.Ordinal)),
            Pipeline.Patience, "the reset to be logged at debug");
        // The request's own work (the endpoint, its answer, their logs) is done by its "Request finished" line.
        await Eventually.UntilAsync(() => Task.FromResult(logs.All.ToList()), all => all.Any(l => l.Contains("Request finished HTTP/1.1 POST", StringComparison.Ordinal)),
            Pipeline.Patience, "the request to end");
        var errors = logs.All.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private sealed class Lines : ILoggerProvider
    {
        public ConcurrentQueue<string> All { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(All);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {formatter(state, exception)} {exception?.GetType().Name}");
        }
    }
}
