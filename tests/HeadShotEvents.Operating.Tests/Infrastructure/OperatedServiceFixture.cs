namespace HeadShotEvents.Operating.Tests.Infrastructure;

/// <summary>One service for a test class; each test makes and finds only its own jobs (its own metadata).</summary>
public sealed class OperatedServiceFixture : IAsyncLifetime
{
    private OperatedService? _service;

    public OperatedService Service => _service ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _service = await OperatedService.StartAsync();

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }
}
