using System.Reflection;
using HeadShotEvents.Service.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("HeadShotEvents.Service.Tests.Infrastructure.InfrastructureCheckedFramework", "HeadShotEvents.Service.Tests")]

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>The one test that runs, and fails with the way out, when RabbitMQ or PostgreSQL is missing.</summary>
public sealed class InfrastructureCheck
{
    [Fact]
    public Task RabbitMQ_and_PostgreSQL_answer() => TestInfrastructure.EnsureAvailableAsync();
}

/// <summary>
/// xunit's own framework, with one step first: when a selected test needs RabbitMQ and PostgreSQL
/// and they cannot be had, only <see cref="InfrastructureCheck"/> runs (one failure, one message
/// saying how to provide them) instead of every test failing with the same stack trace.
/// </summary>
public sealed class InfrastructureCheckedFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    /// <summary>Tests that need neither (pure functions of their input).</summary>
    private static readonly HashSet<string> SelfContained = [typeof(CallbackReaderProperties).FullName!];

    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            var cases = testCases.ToList();
            if (cases.Any(c => !SelfContained.Contains(c.TestMethod.TestClass.Class.Name)) && await MissingAsync() is { } missing)
            {
                var check = cases.Where(c => c.TestMethod.TestClass.Class.Name == typeof(InfrastructureCheck).FullName).ToList();

                // A filtered run without the check: the first selected test carries the one failure.
                cases = check.Count > 0 ? check : [new InfrastructureMissing(DiagnosticMessageSink, cases[0], missing)];
            }

            using var runner = new XunitTestAssemblyRunner(TestAssembly, cases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }

        private static async Task<string?> MissingAsync()
        {
            try
            {
                await TestInfrastructure.EnsureAvailableAsync();
                return null;
            }
            catch (InvalidOperationException ex)
            {
                return ex.Message;
            }
        }
    }

    /// <summary>Fails in place of a selected test (same identity, so the runner reports it) with the message.</summary>
    private sealed class InfrastructureMissing : ExecutionErrorTestCase
    {
        private readonly string _uniqueId = "";

        [Obsolete("For the xunit serializer only.")]
        public InfrastructureMissing()
        {
        }

        public InfrastructureMissing(IMessageSink sink, IXunitTestCase selected, string message)
            : base(sink, TestMethodDisplay.ClassAndMethod, TestMethodDisplayOptions.None, selected.TestMethod, message) =>
            _uniqueId = selected.UniqueID;

        protected override string GetUniqueID() => _uniqueId;
    }
}
