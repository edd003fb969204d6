using Microsoft.Extensions.Options;

namespace HeadShotEvents.Simulator.Admin;

/// <summary>
/// The faults in force. The record is immutable and swapped whole, so a request always sees
/// one consistent set, never half of an update.
/// </summary>
internal sealed class FaultSettings(IOptions<SimulatorOptions> options)
{
    private SimulatorFaults _current = options.Value.Faults;

    public SimulatorFaults Current => Volatile.Read(ref _current);

    public void Replace(SimulatorFaults faults) => Volatile.Write(ref _current, faults);
}
